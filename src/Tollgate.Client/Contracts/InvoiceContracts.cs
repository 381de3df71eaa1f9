namespace Tollgate.Client.Contracts;

/// <summary>An invoice; amounts in minor units of <paramref name="Currency"/>.</summary>
/// <param name="Id">The invoice's id.</param>
/// <param name="Number">Its sequential number, such as TG-2026-000042.</param>
/// <param name="Customer">The customer's id.</param>
/// <param name="Subscription">The subscription it bills.</param>
/// <param name="Status">draft, open, paid, void or uncollectible.</param>
/// <param name="BillingReason">subscription_create, subscription_cycle, subscription_update or subscription_cancel.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="SubtotalCents">The lines' sum before discounts; negative when it is a credit.</param>
/// <param name="CreditAppliedCents">The customer's credit balance used up by this invoice.</param>
/// <param name="AmountDueCents">What remains to pay.</param>
/// <param name="AmountPaidCents">What was paid.</param>
/// <param name="PeriodStart">Start of the service period billed.</param>
/// <param name="PeriodEnd">End of the service period billed.</param>
/// <param name="IssuedAt">When it was issued.</param>
/// <param name="DueAt">When it is due.</param>
/// <param name="PaidAt">When it was paid.</param>
/// <param name="VoidedAt">When it was voided.</param>
/// <param name="Lines">Its lines.</param>
/// <param name="HtmlUrl">Its printable view.</param>
/// <param name="DiscountCents">The lines' discounts, taken from the subtotal before the credit balance.</param>
public sealed record InvoiceResponse(
    string Id,
    string? Number,
    string Customer,
    string? Subscription,
    string Status,
    string BillingReason,
    string Currency,
    long SubtotalCents,
    long CreditAppliedCents,
    long AmountDueCents,
    long AmountPaidCents,
    DateTimeOffset? PeriodStart,
    DateTimeOffset? PeriodEnd,
    DateTimeOffset? IssuedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset? PaidAt,
    DateTimeOffset? VoidedAt,
    IReadOnlyList<InvoiceLineResponse> Lines,
    string HtmlUrl,
    long DiscountCents = 0);

/// <summary>One line of an invoice.</summary>
/// <param name="Kind">recurring, proration_credit, proration_charge, overage or adjustment.</param>
/// <param name="Description">What it is for.</param>
/// <param name="AmountCents">Its amount; negative for a credit.</param>
/// <param name="Quantity">Units.</param>
/// <param name="UnitAmountCents">Price per unit.</param>
/// <param name="PeriodStart">Start of the service period it covers.</param>
/// <param name="PeriodEnd">End of that period.</param>
/// <param name="Plan">The plan it is for.</param>
/// <param name="Feature">The feature, for overage.</param>
/// <param name="DiscountCents">The discount taken from this line (its sign follows the amount).</param>
public sealed record InvoiceLineResponse(
    string Kind, string Description, long AmountCents, long Quantity, long UnitAmountCents, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd,
    string? Plan, string? Feature, long DiscountCents = 0);

/// <summary>One page of a customer's invoices, with their credit balance.</summary>
/// <param name="Data">Newest first.</param>
/// <param name="HasMore">Whether another page follows.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> to read the next page; null on the last one.</param>
/// <param name="BalanceCents">Credit balance per currency; negative means credit the customer has (Stripe's convention).</param>
public sealed record InvoiceListResponse(
    IReadOnlyList<InvoiceResponse> Data, bool HasMore, string? NextCursor, IReadOnlyDictionary<string, long> BalanceCents);
