namespace Tollgate.Core.Entitlements;

/// <summary>
/// The one home of a decision's reason once the store has counted: the store runs the atomic SQL and reports what
/// happened (the counter after, units taken from grants, whether a settlement fit), and these rules name the outcome.
/// </summary>
public static partial class QuotaRules
{
    /// <summary>
    /// The reason for a use the counter took: unlimited without a limit, overage once the window's count passes it
    /// (a soft cap), credit_grant when grants covered what the allowance could not, else within_quota.
    /// </summary>
    public static DecisionReason Granted(long? limit, CounterState after, long takenFromGrants) =>
        limit is not { } l ? DecisionReason.Unlimited
        : after.Used + after.Reserved > l ? DecisionReason.SoftCapOverage
        : takenFromGrants > 0 ? DecisionReason.CreditGrant
        : DecisionReason.WithinQuota;

    /// <summary>
    /// The reason for settling a reservation: a settlement that did not fit the quota is quota_exceeded, one that did
    /// is within_quota, or unlimited where the feature has no limit.
    /// </summary>
    public static DecisionReason Settled(bool fits, long? limit) =>
        !fits ? DecisionReason.QuotaExceeded : limit is null ? DecisionReason.Unlimited : DecisionReason.WithinQuota;

    /// <summary>Whether a check must read the customer's grants: only a limited metered quota has anything for them to cover.</summary>
    public static bool ConsultsGrants(DecisionReason reason, long? limit) =>
        limit is > 0 && reason is DecisionReason.WithinQuota or DecisionReason.QuotaExceeded or DecisionReason.SoftCapOverage;

    /// <summary>A check's reason with the grants counted: a hard cap they cover (with what is left of the allowance) is credit_grant.</summary>
    public static DecisionReason WithGrants(DecisionReason reason, long? allowanceLeft, long grantedRemaining, long amount) =>
        reason == DecisionReason.QuotaExceeded && (allowanceLeft ?? 0) + grantedRemaining >= amount ? DecisionReason.CreditGrant : reason;
}
