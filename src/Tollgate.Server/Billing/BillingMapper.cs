using Tollgate.Contracts;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Billing;

/// <summary>Subscriptions and invoices as the wire shows them.</summary>
public static class BillingMapper
{
    public static async Task<SubscriptionResponse> ToWireAsync(Subscription s, CatalogCache catalog, CancellationToken cancellationToken)
    {
        var version = await catalog.GetVersionAsync(s.PlanVersionId, cancellationToken);
        PendingChange? pending = null;
        if (s.PendingPlanVersionId is { } pendingId && await catalog.GetVersionAsync(pendingId, cancellationToken) is { } next)
        {
            pending = new PendingChange(next.PlanCode, next.Version, (s.PendingBillingPeriod ?? s.BillingPeriod).ToWire(), s.CurrentPeriodEnd);
        }

        var periodStart = s.Status == SubscriptionStatus.Trialing ? s.TrialStartAt ?? s.CurrentPeriodStart : s.CurrentPeriodStart;
        var periodEnd = s.Status == SubscriptionStatus.Trialing ? s.TrialEndAt ?? s.CurrentPeriodEnd : s.CurrentPeriodEnd;
        return new SubscriptionResponse(s.Id, s.CustomerId, s.PlanCode, version?.Version ?? 0, s.BillingPeriod.ToWire(), s.Status.ToWire(),
            periodStart, periodEnd, s.TrialStartAt, s.TrialEndAt, s.CancelAtPeriodEnd, s.CanceledAt, s.EndedAt, pending, s.PastDueSince,
            s.DunningState, s.CollectionMethod.ToWire(), s.CreatedAt, s.PriceOverride?.PriceCents, s.Seats, s.PendingSeats, s.PriceOverride?.Note,
            s.CancelReason, s.CancelComment, Currency: s.Currency.Length > 0 ? s.Currency : version?.Terms.DefaultCurrency);
    }

    public static InvoiceLineResponse ToWire(InvoiceLine l) =>
        new(l.Kind.ToWire(), l.Description, l.AmountCents, l.Quantity, l.UnitAmountCents, l.PeriodStart, l.PeriodEnd, l.PlanCode, l.FeatureCode,
            l.DiscountCents, TaxAmounts: [.. l.Taxes.Select(t => new InvoiceTaxAmount(t.TaxRateId, t.Name, t.Percentage, t.Inclusive, t.AmountCents))]);

    public static InvoiceResponse ToWire(Invoice i) => new(
        i.Id, i.Number, i.CustomerId, i.SubscriptionId, i.Status.ToWire(), i.BillingReason, i.Currency, i.SubtotalCents, i.CreditAppliedCents,
        i.AmountDueCents, i.AmountPaidCents, i.PeriodStart, i.PeriodEnd, i.IssuedAt, i.DueAt, i.PaidAt, i.VoidedAt,
        [.. i.Lines.Select((l, n) => ToWire(l) with { Id = CreditNote.LineId(i.Id, n) })],
        i.Status == InvoiceStatus.Upcoming ? null : $"/v1/invoices/{i.Id}/html", i.DiscountCents, i.CreditedCents, i.TaxCents, i.TotalCents,
        [.. i.TaxBreakdown.Select(t => new InvoiceTaxBreakdown(t.TaxRateId, t.Name, t.Percentage, t.Inclusive, t.TaxableCents, t.AmountCents))],
        i.ReverseCharge);
}
