using Tollgate.Core.Catalog;

namespace Tollgate.Core.Entitlements;

/// <summary>What a counter row holds for one customer, feature and period.</summary>
public readonly record struct CounterState(long Used, long Reserved, long CarriedIn)
{
    public static readonly CounterState Empty = new(0, 0, 0);
}

/// <summary>The quota rules, as pure functions; the store applies them atomically in SQL.</summary>
public static class QuotaRules
{
    public const long MaxAmount = 1_000_000_000;

    /// <summary>The period's limit: the quota plus what rolled over; null when unlimited.</summary>
    public static long? Limit(PlanFeature grant, long carriedIn) => grant.MonthlyQuota is { } quota ? quota + carriedIn : null;

    /// <summary>Whether the store must refuse use that passes the limit (a hard cap on a limited quota).</summary>
    public static bool Enforced(PlanFeature grant) => grant.HardCap && grant.MonthlyQuota is not null;

    /// <summary>Units used past the limit; only a soft cap lets this be above zero.</summary>
    public static long Overage(long? limit, CounterState counter) => limit is { } l ? Math.Max(0, counter.Used - l) : 0;

    /// <summary>
    /// Units carried from the previous period into a new one: what was unused there, at most one period's quota.
    /// </summary>
    public static long CarryOver(PlanFeature grant, long? previousLimit, long previousUsed)
    {
        if (!grant.Rollover || grant.MonthlyQuota is not { } quota || previousLimit is not { } limit)
        {
            return 0;
        }

        return Math.Clamp(limit - previousUsed, 0, quota);
    }

    /// <summary>The answer to "may this customer use <paramref name="amount"/> more", without counting it.</summary>
    public static DecisionReason Check(PlanFeature? grant, CounterState counter, long amount)
    {
        if (grant is null || !grant.IsIncluded)
        {
            return DecisionReason.FeatureNotInPlan;
        }

        if (grant.Kind == FeatureKind.Boolean)
        {
            return DecisionReason.Included;
        }

        if (grant.Kind == FeatureKind.Value)
        {
            return DecisionReason.Value;
        }

        if (grant.MonthlyQuota is null)
        {
            return DecisionReason.Unlimited;
        }

        var limit = Limit(grant, counter.CarriedIn)!.Value;
        var fits = counter.Used + counter.Reserved + amount <= limit;
        return fits ? DecisionReason.WithinQuota : grant.HardCap ? DecisionReason.QuotaExceeded : DecisionReason.SoftCapOverage;
    }

    // The reasons once the store has counted: the store runs the atomic SQL and reports what happened (the counter
    // after, units taken from grants, whether a settlement fit), and these rules name the outcome.

    /// <summary>
    /// The reason for a use the counter took (<paramref name="amount"/> units, <paramref name="takenFromGrants"/> of them
    /// from grants): unlimited without a limit; credit_grant when grants took every unit of this use past the limit, so
    /// none of it is billed (earlier overage in the window does not change what this use is); overage once the
    /// window's count passes the limit (a soft cap) with some of this use billed; else within_quota.
    /// </summary>
    public static DecisionReason Granted(long? limit, CounterState after, long takenFromGrants, long amount) =>
        limit is not { } l ? DecisionReason.Unlimited
        : takenFromGrants > 0 && takenFromGrants >= Math.Min(amount, after.Used + after.Reserved + takenFromGrants - l) ? DecisionReason.CreditGrant
        : after.Used + after.Reserved > l ? DecisionReason.SoftCapOverage
        : DecisionReason.WithinQuota;

    /// <summary>
    /// The reason for settling a reservation: a settlement that did not fit the quota is quota_exceeded, one that did
    /// is within_quota, or unlimited where the feature has no limit.
    /// </summary>
    public static DecisionReason Settled(bool fits, long? limit) =>
        !fits ? DecisionReason.QuotaExceeded : limit is null ? DecisionReason.Unlimited : DecisionReason.WithinQuota;

    /// <summary>
    /// Whether a check must read the customer's grants: only a limited metered quota has anything for them to cover,
    /// pay as you go (a limit of 0) included, since a consume draws its grants before it bills a unit.
    /// </summary>
    public static bool ConsultsGrants(DecisionReason reason, long? limit) =>
        limit is not null && reason is DecisionReason.WithinQuota or DecisionReason.QuotaExceeded or DecisionReason.SoftCapOverage;

    /// <summary>
    /// A check's reason with the grants counted: past the allowance, what they cover (with what is left of it) is
    /// credit_grant, as the consume would answer, under a hard cap and a soft one alike.
    /// </summary>
    public static DecisionReason WithGrants(DecisionReason reason, long? allowanceLeft, long grantedRemaining, long amount) =>
        reason is DecisionReason.QuotaExceeded or DecisionReason.SoftCapOverage && (allowanceLeft ?? 0) + grantedRemaining >= amount
            ? DecisionReason.CreditGrant : reason;
}

public enum DecisionReason
{
    WithinQuota,
    Unlimited,
    SoftCapOverage,
    Included,
    QuotaExceeded,
    FeatureNotInPlan,
    BudgetExceeded,

    /// <summary>A value feature: the plan grants a value (a number of projects, a support tier), not a quota.</summary>
    Value,

    /// <summary>Too many requests in the rate limit's window; decided before the quota and counting nothing.</summary>
    RateLimited,

    /// <summary>Past the window's allowance, covered by the customer's credit grants.</summary>
    CreditGrant,

    /// <summary>The subscription is suspended after dunning and the catalog denies everything until it is paid.</summary>
    SubscriptionInactive,
}

public static class DecisionReasonNames
{
    public static bool IsAllowed(this DecisionReason reason) =>
        reason is DecisionReason.WithinQuota or DecisionReason.Unlimited or DecisionReason.SoftCapOverage or DecisionReason.Included
            or DecisionReason.Value or DecisionReason.CreditGrant;

    public static string ToWire(this DecisionReason reason) => reason switch
    {
        DecisionReason.WithinQuota => "within_quota",
        DecisionReason.Unlimited => "unlimited",
        DecisionReason.SoftCapOverage => "soft_cap_overage",
        DecisionReason.CreditGrant => "credit_grant",
        DecisionReason.Included => "included",
        DecisionReason.QuotaExceeded => "quota_exceeded",
        DecisionReason.BudgetExceeded => "budget_exceeded",
        DecisionReason.Value => "value",
        DecisionReason.RateLimited => "rate_limited",
        DecisionReason.SubscriptionInactive => "subscription_inactive",
        _ => "feature_not_in_plan",
    };
}
