using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;

namespace Tollgate.Core.Metrics;

/// <summary>A subscription's state from <see cref="At"/> on, as recorded after each change.</summary>
public sealed record SubscriptionState(
    string SubscriptionId,
    string CustomerId,
    DateTimeOffset At,
    long Sequence,
    string Reason,
    SubscriptionStatus Status,
    string PlanCode,
    string PlanVersionId,
    BillingInterval BillingPeriod,
    long PriceCents,
    string Currency,
    bool CancelAtPeriodEnd,
    bool WasTrial);

/// <summary>When a cancellation at period end stops counting in MRR: when it takes effect (ChartMogul's default) or when requested (Stripe's former rule).</summary>
public enum ChurnRecognition
{
    PeriodEnd,
    CancelRequest,
}

public sealed record MetricsPolicy(string Currency, ChurnRecognition Churn, bool QuickRatioIncludesReactivation)
{
    public static readonly MetricsPolicy Default = new("USD", ChurnRecognition.PeriodEnd, true);

    /// <summary>
    /// A state's monthly recurring revenue in twelfths of a minor unit (exact for yearly prices): paid, active or
    /// past-due subscriptions count; trials, free plans, canceled and other currencies do not.
    /// </summary>
    public long MrrTwelfths(SubscriptionState s)
    {
        if (s.Status is not (SubscriptionStatus.Active or SubscriptionStatus.PastDue) || s.PriceCents <= 0 || s.Currency != Currency)
        {
            return 0;
        }

        if (Churn == ChurnRecognition.CancelRequest && s.CancelAtPeriodEnd)
        {
            return 0;
        }

        return s.BillingPeriod == BillingInterval.Monthly ? s.PriceCents * 12 : s.PriceCents;
    }
}
