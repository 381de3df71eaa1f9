namespace Tollgate.Core.Customers;

/// <summary>A postal address as printed on an invoice; <see cref="Country"/> is ISO 3166-1 alpha-2.</summary>
public sealed record PostalAddress(string? Line1, string? Line2, string? City, string? PostalCode, string? State, string Country)
{
    /// <summary>The address one part to a line, blank parts left out: street lines, "postal code city", state, country.</summary>
    public IReadOnlyList<string> Lines() =>
    [
        .. new[] { Line1, Line2, Join(PostalCode, City), State, Country }.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l!),
    ];

    private static string? Join(string? a, string? b) => string.Join(' ', new[] { a, b }.Where(p => !string.IsNullOrWhiteSpace(p)));
}

/// <summary>A customer's tax id (a VAT number, an EIN), typed as Stripe types them.</summary>
public sealed record CustomerTaxId(string Type, string Value)
{
    /// <summary>"EU VAT DE123456789": the type as words, then the value.</summary>
    public string Describe() => $"{Type.Replace('_', ' ').ToUpperInvariant()} {Value}";
}

/// <summary>Whether tax applies to the customer: none (it does), exempt, or reverse (EU B2B reverse charge).</summary>
public static class TaxExemptions
{
    public const string None = "none";
    public const string Exempt = "exempt";
    public const string Reverse = "reverse";

    public static readonly IReadOnlyList<string> All = [None, Exempt, Reverse];

    public static bool IsKnown(string? value) => value is not null && All.Contains(value, StringComparer.Ordinal);
}
