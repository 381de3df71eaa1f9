namespace Tollgate.Core.Taxes;

/// <summary>
/// A tax rate the operator charges, such as "VAT 19 %" for DE or "Sales tax 6.25 %" for US/TX. The percentage is held as
/// an integer in millionths of the amount (19 % is 190,000; 6.25 % is 62,500), so tax is integer arithmetic like all money.
/// An inclusive rate is already inside the line's price; an exclusive one is added on top.
/// </summary>
public sealed record TaxRate(
    string Id,
    string Name,
    long Millionths,
    bool Inclusive,
    string? Country,
    string? State,
    bool Active,
    DateTimeOffset CreatedAt)
{
    /// <summary>One whole (100 %) in millionths.</summary>
    public const long Whole = 1_000_000;

    /// <summary>Millionths per percent: a percentage with at most four decimals is a whole number of millionths.</summary>
    public const long PerPercent = 10_000;

    /// <summary>The percentage as the wire shows it: 19, 6.25, 20.5.</summary>
    public decimal Percentage => Millionths / (decimal)PerPercent;

    /// <summary>Millionths for a percentage, or null when it has more than four decimals or is not above 0 and below 100.</summary>
    public static long? MillionthsOf(decimal percentage)
    {
        if (percentage is not (> 0 and < 100))
        {
            return null; // before scaling: a huge decimal times PerPercent would overflow
        }

        var scaled = percentage * PerPercent;
        return scaled == decimal.Truncate(scaled) ? (long)scaled : null;
    }
}

/// <summary>
/// What decides a customer's tax: where they are, whether they are exempt, and the rates the operator set on them, which
/// replace the rates matched by place.
/// </summary>
public sealed record TaxProfile(string? Country, string? State, string Exempt, IReadOnlyList<string> RateIds)
{
    public static readonly TaxProfile None = new(null, null, "none", []);

    /// <summary>EU B2B reverse charge: no tax, and the invoice says the customer accounts for it.</summary>
    public bool ReverseCharge => Exempt == "reverse";
}

/// <summary>The tax one rate put on one line (its sign follows the line's), with the rate as it was when the invoice was made.</summary>
public sealed record LineTax(string TaxRateId, string Name, long Millionths, bool Inclusive, long AmountCents)
{
    public decimal Percentage => Millionths / (decimal)TaxRate.PerPercent;
}
