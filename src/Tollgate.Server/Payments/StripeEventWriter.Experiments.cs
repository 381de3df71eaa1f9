using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Experiments;

namespace Tollgate.Server.Payments;

/// <summary>Subscriptions a checkout sold under a price experiment: their plan, the variant's price, and the visitor's conversion.</summary>
internal sealed partial class StripeEventWriter
{
    /// <summary>The plan version the attribution names: a variant's price is sold inline, so no catalog price has its id.</summary>
    private async Task<(PlanVersion Version, BillingInterval Interval)?> AttributedPlanAsync(StripeSubscriptionState state) =>
        state.Attribution is { } a && await catalog.GetVersionAsync(a.PlanVersionId, ct) is { } version && version.Terms.Price(a.BillingPeriod) is not null
            ? (version, a.BillingPeriod)
            : null;

    /// <summary>The variant's price as the subscription's override, kept at renewal like a grandfathered price.</summary>
    private static PriceOverride? VariantOverride(StripeSubscriptionState state, PlanVersion version, BillingInterval interval) =>
        state.Attribution is { PriceCents: { } cents } a && a.PlanVersionId == version.Id && a.BillingPeriod == interval
            ? new PriceOverride(cents, version.Id, interval)
            : null;

    /// <summary>Counts the visitor's conversion in this event's transaction; a visitor's later subscriptions are not counted again.</summary>
    private async Task ConvertAsync(StripeSubscriptionState state, Subscription subscription, PlanVersion version)
    {
        if (state.Attribution is not { } a)
        {
            return;
        }

        var price = subscription.PriceOn(version);
        await ExperimentTallies.ConvertInAsync(c, tx, new ExperimentTallies.Conversion(a.ExperimentId, a.VisitorId, a.Variant, subscription.Id,
            subscription.CustomerId, price is null ? 0 : PlanChange.MonthlyTwelfths(price)), time.GetUtcNow(), ct);
    }
}
