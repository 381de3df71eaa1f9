using Tollgate.Core.Customers;

namespace Tollgate.Core.Billing;

public enum InvoiceStatus
{
    Draft,
    Open,
    Paid,
    Void,
    Uncollectible,

    /// <summary>Never stored: the invoice the next renewal would issue, previewed (GET /v1/customers/{id}/upcoming-invoice).</summary>
    Upcoming,
}

/// <summary>
/// An issued invoice; never changed after issue except for its payment status, what credit notes took from it and, on a
/// Stripe-billed subscription's invoice, the tax Stripe's own invoice states (<see cref="StripeTaxes"/>), which Tollgate
/// only copies.
/// </summary>
public sealed record Invoice(
    string Id,
    string? Number,
    string CustomerId,
    string? SubscriptionId,
    InvoiceStatus Status,
    string BillingReason,
    string Currency,
    long SubtotalCents,
    long CreditAppliedCents,
    long AmountDueCents,
    long AmountPaidCents,
    DateTimeOffset? PeriodStart,
    DateTimeOffset? PeriodEnd,
    CollectionMethod CollectionMethod,
    DateTimeOffset? IssuedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset? PaidAt,
    DateTimeOffset? VoidedAt,
    DateTimeOffset CreatedAt,
    IReadOnlyList<InvoiceLine> Lines,
    long DiscountCents = 0,
    long CreditedCents = 0,
    bool ReverseCharge = false,
    IReadOnlyList<TaxBreakdown>? StripeTaxes = null)
{
    /// <summary>Whether the tax is Stripe's: a Stripe-billed subscription's invoice once Stripe's invoice reached Tollgate.</summary>
    public bool TaxedByStripe => StripeTaxes is not null;

    /// <summary>All the tax, inclusive and exclusive: Stripe's whole invoice's when Stripe computed it, else its lines'.</summary>
    public long TaxCents => StripeTaxes?.Sum(t => t.AmountCents) ?? Lines.Sum(l => l.TaxCents);

    /// <summary>Subtotal less discounts plus exclusive tax (inclusive tax is inside the subtotal): what the lines come to.</summary>
    public long TotalCents => checked(SubtotalCents - DiscountCents + ExclusiveTaxCents);

    /// <summary>The tax added on top of the subtotal.</summary>
    public long ExclusiveTaxCents => StripeTaxes?.Where(t => !t.Inclusive).Sum(t => t.AmountCents) ?? Lines.Sum(l => l.ExclusiveTaxCents);

    /// <summary>
    /// The tax per rate: Stripe's per-rate totals as its invoice states them, or else summed over the lines in the order the
    /// rates first appear. Stripe's totals count lines Tollgate's copy may not have (Stripe's own prorations).
    /// </summary>
    public IReadOnlyList<TaxBreakdown> TaxBreakdown => StripeTaxes ?? Billing.TaxBreakdown.Of(Lines);

    /// <summary>
    /// The service period to print: the invoice's own, or, on a cancel's final invoice (stamped up to the cancel, whose
    /// credit covers the rest of the period) or one whose period is an instant, the span its lines cover.
    /// </summary>
    public (DateTimeOffset? Start, DateTimeOffset? End) ServicePeriod() =>
        PeriodStart is { } start && PeriodEnd is { } end && (start == end || BillingReason == BillingReasons.SubscriptionCancel) && Lines.Count > 0
            ? (Lines.Min(l => l.PeriodStart) is var first && first < start ? first : start, Lines.Max(l => l.PeriodEnd) is var last && last > end ? last : end)
            : (PeriodStart, PeriodEnd);

    /// <summary>
    /// Whether the invoice asks to be paid (its PDF's and printable page's payment note): while something is left to pay,
    /// or before it is issued; a paid, void or fully credited one asks for nothing.
    /// </summary>
    public bool AsksForPayment => LeftToPayCents() > 0 || Status is InvoiceStatus.Draft or InvoiceStatus.Upcoming;

    /// <summary>
    /// What is left to pay: on an open invoice its amount due less payments, and on an uncollectible one too, which may still
    /// be paid (Stripe keeps its amount_remaining); on any other nothing.
    /// </summary>
    public long LeftToPayCents() => Status is InvoiceStatus.Open or InvoiceStatus.Uncollectible ? AmountDueCents - AmountPaidCents : 0;
}

public static class InvoiceStatusNames
{
    public static string ToWire(this InvoiceStatus status) => status.ToString().ToLowerInvariant();

    public static InvoiceStatus Parse(string text) => Enum.Parse<InvoiceStatus>(text, ignoreCase: true);
}

/// <summary>Why an invoice was issued, in Stripe's words.</summary>
public static class BillingReasons
{
    public const string SubscriptionCreate = "subscription_create";
    public const string SubscriptionCycle = "subscription_cycle";
    public const string SubscriptionUpdate = "subscription_update";
    public const string SubscriptionCancel = "subscription_cancel";
}
