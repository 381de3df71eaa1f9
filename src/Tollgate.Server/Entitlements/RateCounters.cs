using System.Data;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// Rate limits as counters of fixed windows, taken by one conditional statement in the decision's own transaction, so N
/// nodes together never grant more than the limit in one window. Each consume or reserve is one request. A window's
/// count has one home, which every node computes alike: a feature's own limit counts on the feature's quota counter
/// row while the rate window lies inside that row's quota window (the hot path then updates one row), and otherwise
/// (a plan-wide limit, a feature without a counter or with members' shares, a rate window across a quota window's edge) in rate_counters, one
/// row per customer and feature. Either home moves its window forward in place: a later window starts again at 1, and
/// a node whose clock is behind counts in the newer window it finds, so no window is ever counted twice.
/// </summary>
internal static class RateCounters
{
    private const string RowKey = "customer_id = @customer AND feature_code = @feature AND period_start = @periodStart";

    /// <summary>The upsert <see cref="TryTakeAsync"/> runs in rate_counters, so a planned statement that took the request can stand in for it.</summary>
    public static Statement TakeStatement => Take;

    /// <summary>The UPDATE <see cref="TryTakeAsync"/> runs on the counter row, so a planned statement that took the request can stand in for it.</summary>
    public static Statement RowTakeStatement => RowTake;

    private static readonly Statement Take = new($"""
        INSERT INTO rate_counters (customer_id, feature_code, window_start, window_end, used)
        VALUES (@customer, @feature, @start, @end, 1)
        ON CONFLICT (customer_id, feature_code) DO UPDATE SET {Moved("excluded.window_start", "excluded.window_end")}
        WHERE {Admits("excluded.window_start", "@limit")}
        RETURNING used
        """, ("customer", DbType.String), ("feature", DbType.String), ("start", DbType.Int64), ("end", DbType.Int64), ("limit", DbType.Int64));

    private static readonly Statement RowTake = new($"""
        UPDATE usage_counters SET {RowMoved("@start")}
        WHERE {RowKey} AND {RowAdmits("@start", "@limit")}
        RETURNING rate_used
        """, ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64), ("start", DbType.Int64), ("limit", DbType.Int64));

    /// <summary>The SET list that counts one request in the window starting at <paramref name="start"/>: a later window starts at 1.</summary>
    internal static string Moved(string start, string end) => $"""
        used = CASE WHEN {start} > rate_counters.window_start THEN 1 ELSE rate_counters.used + 1 END,
        window_start = CASE WHEN {start} > rate_counters.window_start THEN {start} ELSE rate_counters.window_start END,
        window_end = CASE WHEN {start} > rate_counters.window_start THEN {end} ELSE rate_counters.window_end END
        """;

    /// <summary>Whether the row admits one more request: a later window always does, the stored one while under the limit.</summary>
    internal static string Admits(string start, string limit) => $"({start} > rate_counters.window_start OR rate_counters.used + 1 <= {limit})";

    /// <summary>The counter row's SET items that count one request in the rate window starting at <paramref name="start"/>.</summary>
    internal static string RowMoved(string start) => $"""
        rate_used = CASE WHEN {start} > rate_start THEN 1 ELSE rate_used + 1 END,
        rate_start = CASE WHEN {start} > rate_start THEN {start} ELSE rate_start END
        """;

    /// <summary>Whether the counter row admits one more request in the rate window starting at <paramref name="start"/>.</summary>
    internal static string RowAdmits(string start, string limit) => $"({start} > rate_start OR rate_used + 1 <= {limit})";

    private static readonly Statement GiveBack = new("""
        UPDATE rate_counters SET used = used - 1
        WHERE customer_id = @customer AND feature_code = @feature AND window_start = @start AND used > 0
        """, ("customer", DbType.String), ("feature", DbType.String), ("start", DbType.Int64));

    private static readonly Statement RowGiveBack = new($"""
        UPDATE usage_counters SET rate_used = rate_used - 1
        WHERE {RowKey} AND rate_start = @start AND rate_used > 0
        """, ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64), ("start", DbType.Int64));

    /// <summary>
    /// The counter row a feature's own limit may count on: a metered feature's, unless the plan splits it into members'
    /// shares, which a consume takes before the organisation's row (counting the rate there first would reverse that
    /// lock order). A property of the grant, not of the caller, so every request of the window picks the same home.
    /// </summary>
    public static CounterHome? HomeOf(PlanFeature grant, BillingPeriod window) =>
        grant is { Kind: FeatureKind.Metered, PerMemberLimit: null } ? new CounterHome(window, grant) : null;

    /// <summary>Whether the rate window counts on the counter row of <paramref name="counter"/>: only while it lies inside the quota window.</summary>
    public static bool OnCounterRow(BillingPeriod rateWindow, CounterHome? counter) =>
        counter is { } home && rateWindow.Start >= home.Window.Start && rateWindow.End <= home.Window.End;

    /// <summary>
    /// Counts one request in the rate window holding <paramref name="at"/>, the instant the request's quota window was
    /// taken at: from one instant, a rate window inside one request's quota window is inside every other's that holds it,
    /// so no two requests of a window choose different homes (a request queued across a quota window's edge included).
    /// The state after it, or a refusal (<see cref="RateState.Refused"/>) that counted nothing; <paramref name="planWide"/>
    /// marks the plan-wide limit, so the state says whose limit it was.
    /// </summary>
    public static async Task<RateState> TryTakeAsync(
        BatchScope scope, string customer, string feature, RateLimit rate, CounterHome? counter, DateTimeOffset at, bool planWide)
    {
        var window = QuotaWindow.RateWindow(rate, at);
        long? used;
        if (OnCounterRow(window, counter))
        {
            var home = counter!;
            object?[] values = [customer, feature, home.Window.Start.ToUnixTimeMilliseconds(), window.Start.ToUnixTimeMilliseconds(), rate.Limit];
            used = await scope.RowAsync<long?>(RowTake, r => r.GetInt64(0), values);
            if (used is null)
            {
                // No row yet in this quota window, or a refusal: creating the row is a no-op for the second, which refuses again.
                await Counters.EnsureAsync(scope, customer, feature, home.Window, home.Grant);
                used = await scope.RowAsync<long?>(RowTake, r => r.GetInt64(0), values);
            }
        }
        else
        {
            used = await scope.RowAsync<long?>(Take, r => r.GetInt64(0),
                customer, feature, window.Start.ToUnixTimeMilliseconds(), window.End.ToUnixTimeMilliseconds(), rate.Limit);
        }

        return new RateState(rate.Limit, used is { } u ? rate.Limit - u : 0, window.End, used is null)
        {
            Per = rate.Per, PlanWide = planWide,
        };
    }

    /// <summary>Returns a request taken earlier in this transaction, because a later check refused it: a refusal counts nothing.</summary>
    public static Task GiveBackAsync(BatchScope scope, string customer, string feature, RateLimit rate, CounterHome? counter, DateTimeOffset at)
    {
        var window = QuotaWindow.RateWindow(rate, at);
        return OnCounterRow(window, counter)
            ? scope.ExecuteAsync(RowGiveBack, customer, feature, counter!.Window.Start.ToUnixTimeMilliseconds(), window.Start.ToUnixTimeMilliseconds())
            : scope.ExecuteAsync(GiveBack, customer, feature, window.Start.ToUnixTimeMilliseconds());
    }
}

/// <summary>The quota counter row a feature's own rate limit may count on: its quota window, and the grant that creates it.</summary>
internal sealed record CounterHome(BillingPeriod Window, PlanFeature Grant);
