using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Periods;

namespace Tollgate.Server.Subscriptions;

/// <summary>A new subscription on a plan's current version: trialing when a trial applies, anniversary periods from its start.</summary>
public static class NewSubscription
{
    public static Subscription Build(
        string customer, Plan plan, BillingInterval interval, int? trialDays, CollectionMethod collection, int daysUntilDue, TimeProvider time,
        string? currency = null)
    {
        var now = time.GetUtcNow();
        var price = plan.Current.Terms.Price(interval, currency)!;
        var days = trialDays ?? price.TrialDays;
        var trialEnd = days > 0 ? now.AddDays(days) : (DateTimeOffset?)null;
        var anchor = trialEnd ?? now;
        var first = BillingPeriod.Nth(anchor, interval, 0);
        return new Subscription
        {
            Id = Ids.New("sub", time),
            CustomerId = customer,
            PlanCode = plan.Code,
            PlanVersionId = plan.Current.Id,
            BillingPeriod = interval,
            Currency = price.Currency,
            Status = trialEnd is null ? SubscriptionStatus.Active : SubscriptionStatus.Trialing,
            AnchorAt = anchor,
            CurrentPeriodStart = trialEnd is null ? first.Start : now,
            CurrentPeriodEnd = trialEnd ?? first.End,
            TrialStartAt = trialEnd is null ? null : now,
            TrialEndAt = trialEnd,
            CollectionMethod = collection,
            DaysUntilDue = daysUntilDue,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
