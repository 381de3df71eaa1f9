using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Catalog;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>Rate limits on the hot path: taken before the quota, and given back when the quota or budget refuses.</summary>
public sealed partial class EntitlementStore
{
    /// <summary>The plan-wide rate limit: the plan's rate_limit on the catalog's rate_limit_feature, if it has one.</summary>
    private static (string Feature, RateLimit Rate)? PlanWideRate(EntitlementContext context, CatalogSnapshot snapshot) =>
        snapshot.RateLimitFeature is { } code && context.Grant(code)?.RateLimit is { } rate ? (code, rate) : null;

    /// <summary>
    /// One decision. Rate limits come first (the feature's own, then the plan-wide one): a refusal there counts nothing,
    /// and a request the quota or budget then refuses gives its rate-limit request back, so a refused request counts nothing.
    /// </summary>
    private async Task<UsageOutcome> AddAsync(BatchScope scope, EntitlementContext context, CatalogSnapshot snapshot, string feature, long amount,
        bool reserve)
    {
        var grant = context.Grant(feature);
        if (grant is not { IsIncluded: true })
        {
            return await DecideAsync(scope, context, snapshot, feature, amount, reserve);
        }

        // The rate_limit_feature's own limit is the plan-wide one, so its requests count in the plan-wide row that every
        // other feature's requests count in, never on its quota counter.
        var planWide = PlanWideRate(context, snapshot);
        var limits = new List<(string Feature, RateLimit Rate, CounterHome? Counter, bool PlanWide)>();
        if (grant.RateLimit is { } own)
        {
            var isPlanWide = planWide?.Feature == feature;
            limits.Add((feature, own, isPlanWide ? null : RateCounters.HomeOf(grant, context.Window(grant)), isPlanWide));
        }

        if (planWide is { } wide && wide.Feature != feature)
        {
            limits.Add((wide.Feature, wide.Rate, null, true));
        }

        RateState? tightest = null;
        for (var i = 0; i < limits.Count; i++)
        {
            var (code, rate, counter, isPlanWide) = limits[i];
            var state = await RateCounters.TryTakeAsync(scope, context.CustomerId, code, rate, counter, context.At, isPlanWide);
            if (state.Refused)
            {
                await GiveBackAsync(scope, context, limits.Take(i));
                return new UsageOutcome.Decided(EntitlementDecision.From(DecisionReason.RateLimited, feature, context, grant, CounterState.Empty) with
                {
                    Rate = state,
                });
            }

            tightest = tightest is null || state.Remaining < tightest.Remaining ? state : tightest;
        }

        var outcome = await DecideAsync(scope, context, snapshot, feature, amount, reserve);
        if (outcome is UsageOutcome.Decided decided && tightest is not null)
        {
            if (!decided.Decision.Allowed)
            {
                await GiveBackAsync(scope, context, limits);
                tightest = tightest with { Remaining = tightest.Remaining + 1 };
            }

            outcome = decided with { Decision = decided.Decision with { Rate = tightest } };
        }

        return outcome;
    }

    private static async Task GiveBackAsync(
        BatchScope scope, EntitlementContext context, IEnumerable<(string Feature, RateLimit Rate, CounterHome? Counter, bool PlanWide)> taken)
    {
        foreach (var (code, rate, counter, _) in taken)
        {
            await RateCounters.GiveBackAsync(scope, context.CustomerId, code, rate, counter, context.At);
        }
    }
}
