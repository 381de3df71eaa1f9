namespace Tollgate.Core.Catalog;

/// <summary>
/// Overage billed per started package of <see cref="Size"/> units at <see cref="PriceCents"/>, as Lago's package charge:
/// $5 per 1,000 started bills 2,300 units past the limit as 3 packages, $15.
/// </summary>
public sealed record OveragePackage(long Size, long PriceCents)
{
    public const long MaxSize = 1_000_000_000_000;

    /// <summary>The packages started by <paramref name="units"/> overage units: a part package counts whole.</summary>
    public long Packages(long units) => units <= 0 ? 0 : ((units - 1) / Size) + 1;

    /// <summary>
    /// The packages that <paramref name="units"/> more start in a window already billed for <paramref name="billed"/>, so a
    /// window billed in parts is charged the packages of its whole count, never a package twice.
    /// </summary>
    public long NewPackages(long billed, long units) => Packages(billed + units) - Packages(billed);
}
