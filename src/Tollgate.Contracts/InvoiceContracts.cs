using System.ComponentModel.DataAnnotations;

namespace Tollgate.Contracts;

/// <summary>An invoice; amounts in minor units of <paramref name="Currency"/>.</summary>
/// <param name="Id">The invoice's id.</param>
/// <param name="Number">Its sequential number, such as TG-2026-000042; null on the upcoming invoice, which is not issued yet.</param>
/// <param name="Customer">The customer's id.</param>
/// <param name="Subscription">The subscription it bills.</param>
/// <param name="Status">draft, open, paid, void or uncollectible; upcoming on the preview of the next renewal's invoice.</param>
/// <param name="BillingReason">subscription_create, subscription_cycle, subscription_update or subscription_cancel.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="SubtotalCents">The lines' sum before discounts; negative when it is a credit.</param>
/// <param name="CreditAppliedCents">The customer's credit balance used up by this invoice.</param>
/// <param name="AmountDueCents">What remains to pay.</param>
/// <param name="AmountPaidCents">What was paid.</param>
/// <param name="PeriodStart">Start of the service period billed.</param>
/// <param name="PeriodEnd">End of the service period billed.</param>
/// <param name="IssuedAt">When it was issued (on the upcoming invoice, when it will be).</param>
/// <param name="DueAt">When it is due.</param>
/// <param name="PaidAt">When it was paid.</param>
/// <param name="VoidedAt">When it was voided.</param>
/// <param name="Lines">Its lines.</param>
/// <param name="HtmlUrl">Its printable view; null on the upcoming invoice.</param>
/// <param name="DiscountCents">The lines' discounts, taken from the subtotal before the credit balance.</param>
/// <param name="CreditNotesCents">What credit notes took from it so far; never more than its total.</param>
/// <param name="TaxCents">All the tax on its lines, inclusive and exclusive.</param>
/// <param name="TotalCents">The subtotal less the discounts plus exclusive tax (inclusive tax is inside the subtotal), before credit.</param>
/// <param name="TaxBreakdown">The tax per rate over the whole invoice.</param>
/// <param name="ReverseCharge">true when the customer accounts for the tax (EU B2B reverse charge): no tax is charged.</param>
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
    string? HtmlUrl,
    long DiscountCents = 0,
    long CreditNotesCents = 0,
    long TaxCents = 0,
    long TotalCents = 0,
    IReadOnlyList<InvoiceTaxBreakdown>? TaxBreakdown = null,
    bool ReverseCharge = false);

/// <summary>One line of an invoice.</summary>
/// <param name="Kind">recurring, proration_credit, proration_charge, overage, late_usage, pack or adjustment.</param>
/// <param name="Description">What it is for.</param>
/// <param name="AmountCents">Its amount; negative for a credit.</param>
/// <param name="Quantity">Units.</param>
/// <param name="UnitAmountCents">Price per unit.</param>
/// <param name="PeriodStart">Start of the service period it covers.</param>
/// <param name="PeriodEnd">End of that period.</param>
/// <param name="Plan">The plan it is for.</param>
/// <param name="Feature">The feature, for overage.</param>
/// <param name="DiscountCents">The discount taken from this line (its sign follows the amount).</param>
/// <param name="Id">The line's id, which a credit note names to credit this line.</param>
/// <param name="TaxAmounts">The tax per rate on the line after its discount.</param>
public sealed record InvoiceLineResponse(
    string Kind, string Description, long AmountCents, long Quantity, long UnitAmountCents, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd,
    string? Plan, string? Feature, long DiscountCents = 0, string? Id = null, IReadOnlyList<InvoiceTaxAmount>? TaxAmounts = null);

/// <summary>One page of a customer's invoices, with their credit balance.</summary>
/// <param name="Data">Newest first.</param>
/// <param name="HasMore">Whether another page follows.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> to read the next page; null on the last one.</param>
/// <param name="BalanceCents">Credit balance per currency; negative means credit the customer has (Stripe's convention).</param>
public sealed record InvoiceListResponse(
    IReadOnlyList<InvoiceResponse> Data, bool HasMore, string? NextCursor, IReadOnlyDictionary<string, long> BalanceCents);

/// <summary>A request to credit an invoice: either <paramref name="Lines"/> or <paramref name="AmountCents"/>, with a reason.</summary>
/// <param name="Lines">Amounts to credit on named invoice lines; each at most what that line has left.</param>
/// <param name="AmountCents">One amount, spread over the invoice's lines in proportion to what each has left.</param>
/// <param name="Reason">duplicate, fraudulent, order_change, product_unsatisfactory or other.</param>
/// <param name="Memo">A note for the customer, shown on the credit note.</param>
/// <param name="Refund">On an invoice paid through Stripe: refund the amount instead of giving credit.</param>
public sealed record CreateCreditNoteRequest(
    IReadOnlyList<CreditNoteLineRequest>? Lines = null, long? AmountCents = null, [property: Required] string? Reason = null, string? Memo = null,
    bool? Refund = null);

/// <summary>An amount to credit on one invoice line.</summary>
/// <param name="InvoiceLineId">The line's <c>id</c> as the invoice shows it.</param>
/// <param name="AmountCents">How much to credit, in minor units; more than 0.</param>
public sealed record CreditNoteLineRequest(string? InvoiceLineId = null, long? AmountCents = null);

/// <summary>A credit note: a correction of an issued invoice, numbered CN-2026-000001; amounts in minor units of <paramref name="Currency"/>.</summary>
/// <param name="Id">The credit note's id.</param>
/// <param name="Number">Its number, on its own yearly sequence.</param>
/// <param name="Invoice">The invoice it credits.</param>
/// <param name="Customer">The customer's id.</param>
/// <param name="Currency">ISO 4217 code, the invoice's.</param>
/// <param name="Type">pre_payment (it lowered what was due), post_payment (after payment) or mixed.</param>
/// <param name="Status">issued, or void when Stripe refused, failed or canceled its refund (its credit went back to the invoice).</param>
/// <param name="AmountCents">The whole amount credited.</param>
/// <param name="PrePaymentAmountCents">The part that lowered the invoice's amount due.</param>
/// <param name="CreditBalanceCents">The part that became the customer's credit balance, which the next invoice uses.</param>
/// <param name="RefundAmountCents">The part refunded to the customer's payment method.</param>
/// <param name="RefundStatus">Stripe's refund status as it is (pending, requires_action, succeeded, failed, canceled) when the note refunds; null otherwise.</param>
/// <param name="Reason">duplicate, fraudulent, order_change, product_unsatisfactory or other.</param>
/// <param name="Memo">The note for the customer.</param>
/// <param name="Lines">How the amount falls on the invoice's lines.</param>
/// <param name="CreatedAt">When it was issued.</param>
public sealed record CreditNoteResponse(
    string Id,
    string Number,
    string Invoice,
    string Customer,
    string Currency,
    string Type,
    string Status,
    long AmountCents,
    long PrePaymentAmountCents,
    long CreditBalanceCents,
    long RefundAmountCents,
    string? RefundStatus,
    string Reason,
    string? Memo,
    IReadOnlyList<CreditNoteLineResponse> Lines,
    DateTimeOffset CreatedAt);

/// <summary>The part of a credit note on one invoice line.</summary>
/// <param name="InvoiceLineId">The invoice line's id.</param>
/// <param name="Description">The invoice line's description.</param>
/// <param name="AmountCents">What the note credits on it.</param>
public sealed record CreditNoteLineResponse(string InvoiceLineId, string Description, long AmountCents);
