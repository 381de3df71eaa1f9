using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Storage.Database;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Llm;

/// <summary>
/// A repriced call's cost difference applied to its period's LLM budget as live spend would have split it: a higher cost
/// is added to the counter and drawn from budget grants past the budget, a lower one is given back in the reverse order
/// (spend past the grants, then the period's grant draws, most recent first, then the plan's budget).
/// </summary>
internal static class LlmBudgetCorrection
{
    /// <summary>What a correction did to a period's budget counter: its used before and after, for the alerts.</summary>
    public sealed record Change(BillingPeriod Period, long UsedBefore, long UsedAfter);

    private const string CounterKey = "customer_id = @customer AND feature_code = @feature AND period_start = @start";

    /// <param name="budget">The plan's budget now, or null when the plan has none: then no grant is drawn. The counter the call's
    /// cost landed on is found by its instant, so it is the window the budget counted in then, whatever its size.</param>
    /// <returns>The counter's change, or null when the call's period has no budget counter.</returns>
    public static async Task<Change?> ApplyAsync(BatchScope scope, SqlDialect dialect, string customer, long occurredAt, long delta,
        PlanFeature? budget)
    {
        var feature = LlmBudget.FeatureCode;
        var counters = (await scope.Connection.QueryAsync<(long Start, long End, long Used, long Reserved, long CarriedIn)>(scope.Command($"""
            SELECT period_start, period_end, used, reserved, carried_in FROM usage_counters
            WHERE customer_id = @customer AND feature_code = @feature AND period_start <= @occurredAt AND period_end > @occurredAt {dialect.ForUpdate}
            """, new { customer, feature, occurredAt }))).ToList();
        if (counters is not [var counter] || delta == 0)
        {
            return null;
        }

        var start = counter.Start;
        var period = new BillingPeriod(DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(counter.End));
        if (delta > 0)
        {
            var added = await scope.Connection.QuerySingleAsync<(long Used, long Reserved, long CarriedIn)>(scope.Command(
                $"UPDATE usage_counters SET used = used + @delta, updated_at = @now WHERE {CounterKey} RETURNING used, reserved, carried_in",
                new { delta, now = scope.NowMs, customer, feature, start }));
            if (budget is null)
            {
                return new Change(period, counter.Used, added.Used);
            }

            var (total, cover, _) = await GrantDraw.AfterAddAsync(scope, dialect, customer, feature, period, budget with { HardCap = false },
                delta, reserve: false, new CounterState(added.Used, added.Reserved, added.CarriedIn));
            if (cover is { Taken: > 0 })
            {
                await LlmGrantDraws.RecordAsync(scope, customer, start, cover.Takes, scope.NowMs);
            }

            return new Change(period, counter.Used, (total ?? new CounterState(added.Used, added.Reserved, added.CarriedIn)).Used);
        }

        // Spend the grants could not cover sits on the counter past the budget: it was the last spent, so it goes back first.
        var lower = -delta;
        var pastGrants = budget?.MonthlyQuota is { } b ? Math.Clamp(counter.Used + counter.Reserved - b, 0, counter.Used) : 0;
        var fromPast = Math.Min(lower, pastGrants);
        var fromGrants = await LlmGrantDraws.GiveBackAsync(scope, dialect, customer, start, lower - fromPast, scope.NowMs);
        var fromCounter = Math.Min(counter.Used, lower - fromGrants);
        await scope.Connection.ExecuteAsync(scope.Command(
            $"UPDATE usage_counters SET used = used - @fromCounter, updated_at = @now WHERE {CounterKey}",
            new { fromCounter, now = scope.NowMs, customer, feature, start }));
        return new Change(period, counter.Used, counter.Used - fromCounter);
    }
}
