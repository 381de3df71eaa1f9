using Tollgate.Core.Taxes;

namespace Tollgate.Core.Billing;

public enum InvoiceLineKind
{
    /// <summary>The plan's fee for a period, billed in advance.</summary>
    Recurring,

    /// <summary>Credit for the unused time of the old price after a change or cancel (negative).</summary>
    ProrationCredit,

    /// <summary>Charge for the remaining time of the new price after a change.</summary>
    ProrationCharge,

    /// <summary>Units past a soft cap in the previous period, billed in arrears.</summary>
    Overage,

    /// <summary>An operator's correction: a charge or a credit.</summary>
    Adjustment,

    /// <summary>A credit pack sold once (its units arrive as a credit grant).</summary>
    Pack,

    /// <summary>
    /// A closed, already invoiced window re-rated after late events: its charge now minus what was billed for it (a credit
    /// when negative), on the next invoice, since an issued invoice never changes.
    /// </summary>
    LateUsage,
}

/// <summary>
/// One line of an invoice, in integer minor units, with the service period it covers, the discount taken from it and the
/// tax on what is left (<see cref="Taxes"/>, one entry per rate).
/// </summary>
public sealed record InvoiceLine(
    InvoiceLineKind Kind,
    string Description,
    long AmountCents,
    long Quantity,
    long UnitAmountCents,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    string? PlanCode = null,
    string? PlanVersionId = null,
    string? FeatureCode = null,
    long DiscountCents = 0,
    IReadOnlyList<LineTax>? Taxes = null)
{
    public IReadOnlyList<LineTax> Taxes { get; init; } = Taxes ?? [];

    /// <summary>
    /// Whether the amount is the quantity times the unit price. A tier priced per 100 units or with a flat fee, or seats
    /// prorated to a fraction of a cent each, is not: its unit price is 0 on the wire and left blank where it is printed.
    /// </summary>
    public bool IsQuantityTimesUnit => (Int128)Quantity * UnitAmountCents == AmountCents;

    /// <summary>What the line comes to after its discount (inclusive tax still inside it).</summary>
    public long NetCents => AmountCents - DiscountCents;

    /// <summary>All the tax on the line, inclusive and exclusive.</summary>
    public long TaxCents => Taxes.Sum(t => t.AmountCents);

    /// <summary>The tax added on top of the line; inclusive tax is inside <see cref="NetCents"/> already.</summary>
    public long ExclusiveTaxCents => Taxes.Where(t => !t.Inclusive).Sum(t => t.AmountCents);

    /// <summary>What the customer pays for the line: after its discount, with exclusive tax added.</summary>
    public long TotalCents => checked(NetCents + ExclusiveTaxCents);
}

public static class InvoiceLineKindNames
{
    public static string ToWire(this InvoiceLineKind kind) => kind switch
    {
        InvoiceLineKind.Recurring => "recurring",
        InvoiceLineKind.ProrationCredit => "proration_credit",
        InvoiceLineKind.ProrationCharge => "proration_charge",
        InvoiceLineKind.Overage => "overage",
        InvoiceLineKind.Pack => "pack",
        InvoiceLineKind.LateUsage => "late_usage",
        _ => "adjustment",
    };

    public static InvoiceLineKind Parse(string text) => text switch
    {
        "recurring" => InvoiceLineKind.Recurring,
        "proration_credit" => InvoiceLineKind.ProrationCredit,
        "proration_charge" => InvoiceLineKind.ProrationCharge,
        "overage" => InvoiceLineKind.Overage,
        "pack" => InvoiceLineKind.Pack,
        "late_usage" => InvoiceLineKind.LateUsage,
        _ => InvoiceLineKind.Adjustment,
    };
}
