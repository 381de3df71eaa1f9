using System.Text.RegularExpressions;

namespace Tollgate.Core.Llm;

/// <summary>
/// Finds the price in effect for a model at an instant: the exact name, then the name without its provider prefix
/// and date suffix (gpt-4o-2024-08-06 → gpt-4o), then the most specific glob pattern. Never a bare prefix match,
/// which would price gpt-4o-mini as gpt-4o.
/// </summary>
public sealed partial class PriceBook
{
    private readonly ILookup<string, ModelPrice> _byModel;
    private readonly IReadOnlyList<(Regex Pattern, ModelPrice Price)> _patterns;

    public PriceBook(IEnumerable<ModelPrice> prices)
    {
        var all = prices.ToList();
        _byModel = all.ToLookup(p => p.Model, StringComparer.Ordinal);
        _patterns = [.. all.Where(p => p.Pattern is not null)
            .OrderByDescending(p => p.Pattern!.Replace("*", "", StringComparison.Ordinal).Length)
            .Select(p => (Glob(p.Pattern!), p))];
    }

    public ModelPrice? Find(string model, DateTimeOffset at)
    {
        var name = Normalize(model);
        return Effective(_byModel[name], at)
            ?? Effective(_byModel[WithoutVersion(name)], at)
            ?? ByPattern(name, at);
    }

    /// <summary>The most specific matching pattern that has a row in effect, and its latest row.</summary>
    private ModelPrice? ByPattern(string name, DateTimeOffset at)
    {
        // _patterns is ordered most specific first, and GroupBy keeps that order.
        foreach (var rows in _patterns.Where(p => p.Pattern.IsMatch(name)).GroupBy(p => p.Price.Pattern, StringComparer.Ordinal))
        {
            if (Effective(rows.Select(r => r.Price), at) is { } price)
            {
                return price;
            }
        }

        return null;
    }

    /// <summary>Lower case, without a provider or route prefix ("openai/gpt-4o" → "gpt-4o").</summary>
    public static string Normalize(string model)
    {
        var name = model.Trim().ToLowerInvariant();
        var slash = name.LastIndexOf('/');
        return slash >= 0 ? name[(slash + 1)..] : name;
    }

    public static string WithoutVersion(string name) => VersionSuffix().Replace(name, "");

    private static ModelPrice? Effective(IEnumerable<ModelPrice> rows, DateTimeOffset at) =>
        rows.Where(p => p.EffectiveFrom <= at).OrderByDescending(p => p.EffectiveFrom).FirstOrDefault();

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern.ToLowerInvariant()).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"(-\d{4}-\d{2}-\d{2}|-\d{8}|-latest|@\d{8}|-\d{4})$")]
    private static partial Regex VersionSuffix();
}
