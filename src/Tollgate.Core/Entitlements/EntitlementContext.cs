using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Entitlements;

/// <summary>
/// Who the customer is for entitlement purposes at <see cref="At"/>: their plan version and billing period. Each
/// quota counts in its own window inside or across that period (<see cref="Window"/>).
/// </summary>
public sealed record EntitlementContext(string CustomerId, PlanVersion? Version, Subscription? Subscription, BillingPeriod Period)
{
    public string? PlanCode => Version?.PlanCode;

    /// <summary>The instant the context was resolved for; windows are taken at it.</summary>
    public DateTimeOffset At { get; init; } = Period.Start;

    /// <summary>The member of the organisation <see cref="CustomerId"/> the call named, when it named a member.</summary>
    public string? MemberId { get; init; }

    /// <summary>
    /// The subscription is past due beyond its grace and the catalog says <see cref="SuspensionPolicy.Deny"/>: no plan
    /// applies, and every feature is refused as <see cref="DecisionReason.SubscriptionInactive"/> until it is paid.
    /// </summary>
    public bool Suspended { get; init; }

    /// <summary>Seats bought on a per-seat price; 1 for any other subscription or none.</summary>
    public int Seats => Subscription?.Seats ?? 1;

    /// <summary>The plan's grant, with a per-seat limit multiplied by the seats.</summary>
    public PlanFeature? Grant(string featureCode) => Version?.Terms.Feature(featureCode)?.ForSeats(Seats);

    /// <summary>The window the grant's quota counts in at <see cref="At"/>; the billing period for anything without a quota window.</summary>
    public BillingPeriod Window(PlanFeature? grant) =>
        grant is null ? Period : QuotaWindow.Containing(grant.Reset, Subscription?.AnchorAt, Period, At);

    /// <summary>
    /// Trialing, active and past_due subscriptions give their plan's terms; a customer without one is on the default
    /// plan with calendar-month periods (or on no plan at all when the catalog names none).
    /// </summary>
    public static EntitlementContext Resolve(
        string customerId, Subscription? subscription, PlanVersion? subscribedVersion, PlanVersion? defaultVersion, DateTimeOffset now, TimeSpan grace,
        SuspensionPolicy onSuspension = SuspensionPolicy.DefaultPlan)
    {
        if (subscription is not null && subscribedVersion is not null && subscription.GivesEntitlements(now, grace))
        {
            return new EntitlementContext(customerId, subscribedVersion, subscription, subscription.PeriodAt(now)) { At = now };
        }

        if (onSuspension == SuspensionPolicy.Deny && subscription is { Status: SubscriptionStatus.PastDue })
        {
            return new EntitlementContext(customerId, null, null, BillingPeriod.CalendarMonth(now)) { At = now, Suspended = true };
        }

        return new EntitlementContext(customerId, defaultVersion, null, BillingPeriod.CalendarMonth(now)) { At = now };
    }
}

/// <summary>A decision and the counter behind it, as the API reports it.</summary>
public sealed record EntitlementDecision(
    DecisionReason Reason,
    string Feature,
    string? Plan,
    long? Limit,
    long Used,
    long Reserved,
    bool HardCap,
    DateTimeOffset PeriodStart,
    DateTimeOffset ResetsAt,
    string? ValueJson = null)
{
    public bool Allowed => Reason.IsAllowed();

    public bool Unlimited => Limit is null && Reason is not (DecisionReason.FeatureNotInPlan or DecisionReason.Value);

    public long? Remaining => Limit is { } l ? Math.Max(0, l - Used - Reserved) : null;

    /// <summary>
    /// Units past a soft cap, billed as overage. A hard cap has none: usage above it (kept across a downgrade, or logged
    /// after the fact by LLM calls) is never billed, so it is not called overage.
    /// </summary>
    public long Overage => !HardCap && Limit is { } l ? Math.Max(0, Used - l) : 0;

    /// <summary>The plan's LLM budget this period, for features that use the LLM.</summary>
    public BudgetState? Budget { get; init; }

    /// <summary>The tightest rate limit that applied to this request, for the RateLimit-* headers.</summary>
    public RateState? Rate { get; init; }

    /// <summary>What the customer's credit grants for the feature have left; null where they were not consulted.</summary>
    public long? GrantedRemaining { get; init; }

    /// <summary>The units this request took from credit grants, per grant (a reservation gives them back on release).</summary>
    public IReadOnlyList<Grants.GrantTake> GrantTakes { get; init; } = [];

    /// <summary>Where the quota's window started; <see cref="ResetsAt"/> is where it ends.</summary>
    public DateTimeOffset WindowStart => PeriodStart;

    /// <summary>The customer (the organisation, when a member was named) and the member the decision was made for.</summary>
    public string? Customer { get; init; }
    public string? Member { get; init; }

    public static EntitlementDecision From(DecisionReason reason, string feature, EntitlementContext context, PlanFeature? grant, CounterState counter)
    {
        var included = grant is { IsIncluded: true };
        var limit = !included ? 0 : grant!.Kind == FeatureKind.Metered ? QuotaRules.Limit(grant, counter.CarriedIn) : null;
        var window = context.Window(grant);
        // A suspended customer has no plan: what would read "not in the plan" is the subscription's state.
        reason = context.Suspended && reason == DecisionReason.FeatureNotInPlan ? DecisionReason.SubscriptionInactive : reason;
        // Only a metered quota has a cap to be hard or soft; a gate or a value has none. A feature the plan lacks is refused outright.
        var hardCap = grant is null || !included || (grant.Kind == FeatureKind.Metered && grant.HardCap);
        return new EntitlementDecision(
            reason, feature, context.PlanCode, limit, counter.Used, counter.Reserved, hardCap,
            window.Start, window.End, grant?.ValueJson) { Customer = context.CustomerId, Member = context.MemberId };
    }
}

/// <summary>
/// An LLM budget's state for one window, in nano-USD. Spend past the plan's budget is drawn from budget grants, so the
/// budget is exhausted only once the plan's part is spent and no grant has anything left.
/// </summary>
public sealed record BudgetState(long LimitNano, long SpentNano, long ReservedNano, long GrantedRemainingNano = 0)
{
    /// <summary>The window the budget counts in (the plan's <c>llm_budget_reset</c>); a refusal for budget lasts until its end.</summary>
    public BillingPeriod? Window { get; init; }

    public bool Exhausted => SpentNano + ReservedNano >= LimitNano && GrantedRemainingNano <= 0;

    public long RemainingNano => Math.Max(0, LimitNano - SpentNano - ReservedNano);
}

/// <summary>
/// A rate limit's window after a request: what is left of it, when it resets, and whether it refused. <see cref="PlanWide"/>
/// marks the plan-wide limit (the catalog's rate_limit_feature), so a refusal can say it was not the feature's own.
/// </summary>
public sealed record RateState(long Limit, long Remaining, DateTimeOffset ResetAt, bool Refused)
{
    public RateLimitPer Per { get; init; }

    public bool PlanWide { get; init; }
}
