using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;

namespace Tollgate.Server.Webhooks;

/// <summary>
/// What an event's "data" holds, in the API's field names: a subscription as GET /v1/subscriptions/{id} shows it (with
/// the plan version's id) and the change's reason; an invoice as GET /v1/invoices/{id} shows it.
/// </summary>
public static class WebhookPayloads
{
    public static object Subscription(Subscription s, string reason) => new
    {
        s.Id, Customer = s.CustomerId, Plan = s.PlanCode, s.PlanVersionId, BillingPeriod = s.BillingPeriod.ToWire(), Status = s.Status.ToWire(),
        s.CurrentPeriodStart, s.CurrentPeriodEnd, TrialStart = s.TrialStartAt, TrialEnd = s.TrialEndAt, s.CancelAtPeriodEnd, s.CanceledAt,
        s.EndedAt, s.PastDueSince, s.DunningState, CollectionMethod = s.CollectionMethod.ToWire(), s.CreatedAt, Reason = reason,
    };

    public static object Customer(Customer c) => new { c.Id, c.Email, c.Name, c.Metadata, c.CreatedAt };

    public static object Invoice(Invoice i) => new
    {
        i.Id, i.Number, Customer = i.CustomerId, Subscription = i.SubscriptionId, Status = i.Status.ToWire(), i.BillingReason, i.Currency,
        i.SubtotalCents, i.CreditAppliedCents, i.AmountDueCents, i.AmountPaidCents, i.PeriodStart, i.PeriodEnd, i.IssuedAt, i.DueAt, i.PaidAt,
        i.VoidedAt,
        Lines = i.Lines.Select(l => new
        {
            Kind = l.Kind.ToWire(), l.Description, l.AmountCents, l.Quantity, l.UnitAmountCents, l.PeriodStart, l.PeriodEnd, Plan = l.PlanCode,
            Feature = l.FeatureCode, l.DiscountCents,
            TaxAmounts = l.Taxes.Select(t => new { TaxRate = t.TaxRateId, t.Name, t.Percentage, t.Inclusive, t.AmountCents }),
        }),
        i.DiscountCents,
        CreditNotesCents = i.CreditedCents,
        i.TaxCents,
        i.TotalCents,
        TaxBreakdown = i.TaxBreakdown.Select(t => new
        {
            TaxRate = t.TaxRateId, t.Name, t.Percentage, t.Inclusive, TaxableAmountCents = t.TaxableCents, t.AmountCents,
        }),
        i.ReverseCharge,
    };

    /// <summary>A credit note as GET /v1/credit-notes/{id} shows it.</summary>
    public static object CreditNote(CreditNote n) => new
    {
        n.Id, n.Number, Invoice = n.InvoiceId, Customer = n.CustomerId, n.Currency, n.Type, n.Status, n.AmountCents,
        n.PrePaymentAmountCents, n.CreditBalanceCents, n.RefundAmountCents, n.RefundStatus, n.Reason, n.Memo,
        Lines = n.Lines.Select(l => new { InvoiceLineId = Core.Billing.CreditNote.LineId(n.InvoiceId, l.LinePosition), l.Description, l.AmountCents }),
        n.CreatedAt,
    };

    /// <summary>The event type a subscription change is announced as: whatever the reason, a change that ends it is a cancellation.</summary>
    public static string SubscriptionEventType(string reason, SubscriptionStatus status) => (reason, status) switch
    {
        ("created" or "trial_started", _) => WebhookEventTypes.SubscriptionCreated,
        ("trial_will_end", _) => WebhookEventTypes.SubscriptionTrialWillEnd,
        (_, SubscriptionStatus.Canceled) => WebhookEventTypes.SubscriptionCanceled,
        _ => WebhookEventTypes.SubscriptionUpdated,
    };
}
