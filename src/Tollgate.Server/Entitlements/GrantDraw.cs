using System.Data;
using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Grants;
using Tollgate.Core.Periods;
using Tollgate.Storage.Database;
using Tollgate.Server.Grants;

namespace Tollgate.Server.Entitlements;

/// <summary>What a consume took from credit grants, and what the customer's grants for the feature have left after it.</summary>
internal sealed record GrantCover(CounterState Counter, IReadOnlyList<GrantTake> Takes, long GrantedRemaining)
{
    public long Taken => Takes.Sum(t => t.Amount);
}

/// <summary>
/// The consume path past the plan allowance. It runs only when the counter's conditional UPDATE refused (hard cap) or
/// returned a count past the limit (soft cap), so a customer within their allowance costs no grant reads at all.
/// </summary>
internal static class GrantDraw
{
    private const string CounterKey = "customer_id = @customer AND feature_code = @feature AND period_start = @start";

    /// <summary>
    /// After the counter's conditional UPDATE: a refused hard cap is covered from grants (null counter when they cannot),
    /// a soft cap's overage is moved onto them; anything within the allowance passes through without a read.
    /// </summary>
    public static async Task<(CounterState? Counter, GrantCover? Cover, long? GrantedRemaining)> AfterAddAsync(
        BatchScope scope, SqlDialect dialect, string customer, string feature, BillingPeriod window, PlanFeature grant, long amount, bool reserve,
        CounterState? counter)
    {
        if (counter is not { } added)
        {
            var (cover, remaining) = await CoverAsync(scope, dialect, customer, feature, window, grant, amount, reserve);
            return (cover?.Counter, cover, remaining);
        }

        if (grant.HardCap || QuotaRules.Limit(grant, added.CarriedIn) is not { } limit || added.Used + added.Reserved <= limit)
        {
            return (added, null, null);
        }

        var overage = Math.Min(amount, added.Used + added.Reserved - limit);
        var absorbed = await AbsorbOverageAsync(scope, dialect, customer, feature, window, overage, reserve, added);
        return (absorbed.Counter, absorbed, absorbed.GrantedRemaining);
    }

    /// <summary>
    /// A hard cap refused the whole amount: take what is left of the allowance and the rest from grants, or nothing and
    /// null when the grants cannot cover it. The counter row is locked first, so nodes cover one at a time.
    /// </summary>
    private static async Task<(GrantCover? Cover, long GrantedRemaining)> CoverAsync(
        BatchScope scope, SqlDialect dialect, string customer, string feature, BillingPeriod window, PlanFeature grant, long amount, bool reserve)
    {
        var start = window.Start.ToUnixTimeMilliseconds();
        var counter = await scope.Connection.QuerySingleOrDefaultAsync<(long Used, long Reserved, long CarriedIn)>(scope.Command(
            $"SELECT used, reserved, carried_in FROM usage_counters WHERE {CounterKey} {dialect.ForUpdate}", new { customer, feature, start }));
        var allowance = Math.Max(0, (grant.MonthlyQuota ?? 0) + counter.CarriedIn - counter.Used - counter.Reserved);
        var grants = await CreditGrantRows.ActiveAsync(scope, dialect, customer, feature, scope.NowMs);
        var available = grants.Sum(g => g.Remaining);
        if (allowance + available < amount)
        {
            return (null, available);
        }

        var takes = GrantDrawing.Plan(grants, amount - allowance, scope.Now);
        await TakeAsync(scope, takes);
        var column = reserve ? "reserved" : "used";
        var after = await scope.Connection.QuerySingleAsync<(long Used, long Reserved, long CarriedIn)>(scope.Command(
            $"UPDATE usage_counters SET {column} = {column} + @allowance, updated_at = @now WHERE {CounterKey} RETURNING used, reserved, carried_in",
            new { allowance, now = scope.NowMs, customer, feature, start }));
        return (new GrantCover(new(after.Used, after.Reserved, after.CarriedIn), takes, available - takes.Sum(t => t.Amount)), available);
    }

    /// <summary>
    /// A soft cap counted past the limit: move as much of this consume's overage as the grants hold from the counter onto
    /// them, so only what they cannot cover is billed as overage.
    /// </summary>
    private static async Task<GrantCover> AbsorbOverageAsync(
        BatchScope scope, SqlDialect dialect, string customer, string feature, BillingPeriod window, long overage, bool reserve,
        CounterState counter)
    {
        var grants = await CreditGrantRows.ActiveAsync(scope, dialect, customer, feature, scope.NowMs);
        var available = grants.Sum(g => g.Remaining);
        var takes = GrantDrawing.Plan(grants, overage, scope.Now);
        var taken = takes.Sum(t => t.Amount);
        if (taken == 0)
        {
            return new GrantCover(counter, takes, available);
        }

        await TakeAsync(scope, takes);
        var column = reserve ? "reserved" : "used";
        var after = await scope.Connection.QuerySingleAsync<(long Used, long Reserved, long CarriedIn)>(scope.Command(
            $"UPDATE usage_counters SET {column} = {column} - @taken, updated_at = @now WHERE {CounterKey} RETURNING used, reserved, carried_in",
            new { taken, now = scope.NowMs, customer, feature, start = window.Start.ToUnixTimeMilliseconds() }));
        return new GrantCover(new(after.Used, after.Reserved, after.CarriedIn), takes, available - taken);
    }

    /// <summary>
    /// A check's decision with the grants counted: past the allowance, what they cover answers credit_grant. Read only
    /// for limited metered features (pay as you go's limit of 0 included), so gates and unlimited quotas read nothing more.
    /// </summary>
    public static async Task<EntitlementDecision> WithGrantsAsync(SqlScope scope, string customer, EntitlementDecision decision, long amount, long nowMs)
    {
        if (!QuotaRules.ConsultsGrants(decision.Reason, decision.Limit))
        {
            return decision;
        }

        var remaining = await RemainingAsync(scope, customer, decision.Feature, nowMs);
        return decision with { GrantedRemaining = remaining, Reason = QuotaRules.WithGrants(decision.Reason, decision.Remaining, remaining, amount) };
    }

    /// <summary>What the customer's live grants for the feature (or <c>$llm_budget</c>) have left at <paramref name="nowMs"/>.</summary>
    public static async Task<long> RemainingAsync(SqlScope scope, string customer, string feature, long nowMs) =>
        await scope.RowAsync(Remaining, r => r.IsDBNull(0) ? 0 : r.GetInt64(0), customer, feature, nowMs);

    // Prepared once per connection: a check within its quota asks it every time, and parsing it again cost eight times
    // the counter's own read (docs/benchmarks.md, stop 66).
    private static readonly Statement Remaining = new("""
        SELECT CAST(SUM(amount - used) AS BIGINT) FROM credit_grants
        WHERE customer_id = @customer AND feature_code = @feature AND voided_at IS NULL AND (expires_at IS NULL OR expires_at > @nowMs)
        """, ("customer", DbType.String), ("feature", DbType.String), ("nowMs", DbType.Int64));

    /// <summary>Records which grants a reservation took from, so a release or a smaller commit gives them back.</summary>
    public static async Task HoldAsync(BatchScope scope, string reservationId, IReadOnlyList<GrantTake> takes)
    {
        foreach (var take in takes)
        {
            await scope.Connection.ExecuteAsync(scope.Command(
                "INSERT INTO credit_grant_holds (reservation_id, grant_id, amount) VALUES (@reservationId, @GrantId, @Amount)",
                new { reservationId, take.GrantId, take.Amount }));
        }
    }

    // Each UPDATE is conditional, so a grant can never be overspent; the rows were read (and on PostgreSQL locked) in this
    // transaction, so the condition holds and a miss is a bug worth failing the operation for.
    private static async Task TakeAsync(BatchScope scope, IReadOnlyList<GrantTake> takes)
    {
        foreach (var take in takes)
        {
            var changed = await scope.Connection.ExecuteAsync(scope.Command(
                "UPDATE credit_grants SET used = used + @Amount WHERE id = @GrantId AND used + @Amount <= amount AND voided_at IS NULL",
                new { take.GrantId, take.Amount }));
            if (changed != 1)
            {
                throw new InvalidOperationException($"Credit grant {take.GrantId} changed under a locked draw.");
            }
        }
    }
}
