using System.Data;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Entitlements;

/// <summary>
/// Rate limits as counters of fixed windows, taken by one conditional upsert in the decision's own transaction, so N
/// nodes together never grant more than the limit in one window. Each consume or reserve is one request. A customer's
/// feature has one row whose window moves forward in place: a later window starts again at 1, and a node whose clock
/// is behind counts in the newer window it finds, so no window is ever counted twice.
/// </summary>
internal static class RateCounters
{
    /// <summary>The upsert <see cref="TryTakeAsync"/> runs, so a planned statement that took the request can stand in for it.</summary>
    public static Statement TakeStatement => Take;

    private static readonly Statement Take = new($"""
        INSERT INTO rate_counters (customer_id, feature_code, window_start, window_end, used)
        VALUES (@customer, @feature, @start, @end, 1)
        ON CONFLICT (customer_id, feature_code) DO UPDATE SET {Moved("excluded.window_start", "excluded.window_end")}
        WHERE {Admits("excluded.window_start", "@limit")}
        RETURNING used
        """, ("customer", DbType.String), ("feature", DbType.String), ("start", DbType.Int64), ("end", DbType.Int64), ("limit", DbType.Int64));

    /// <summary>The SET list that counts one request in the window starting at <paramref name="start"/>: a later window starts at 1.</summary>
    internal static string Moved(string start, string end) => $"""
        used = CASE WHEN {start} > rate_counters.window_start THEN 1 ELSE rate_counters.used + 1 END,
        window_start = CASE WHEN {start} > rate_counters.window_start THEN {start} ELSE rate_counters.window_start END,
        window_end = CASE WHEN {start} > rate_counters.window_start THEN {end} ELSE rate_counters.window_end END
        """;

    /// <summary>Whether the row admits one more request: a later window always does, the stored one while under the limit.</summary>
    internal static string Admits(string start, string limit) => $"({start} > rate_counters.window_start OR rate_counters.used + 1 <= {limit})";

    private static readonly Statement GiveBack = new("""
        UPDATE rate_counters SET used = used - 1
        WHERE customer_id = @customer AND feature_code = @feature AND window_start = @start AND used > 0
        """, ("customer", DbType.String), ("feature", DbType.String), ("start", DbType.Int64));

    private static readonly Statement Read = new(
        "SELECT used FROM rate_counters WHERE customer_id = @customer AND feature_code = @feature AND window_start = @start",
        ("customer", DbType.String), ("feature", DbType.String), ("start", DbType.Int64));

    /// <summary>Counts one request in the window; the state after it, or a refusal (<see cref="RateState.Refused"/>) that counted nothing.</summary>
    public static async Task<RateState> TryTakeAsync(BatchScope scope, string customer, string feature, RateLimit rate)
    {
        var window = QuotaWindow.RateWindow(rate, scope.Now);
        var used = await scope.RowAsync<long?>(Take, r => r.GetInt64(0),
            customer, feature, window.Start.ToUnixTimeMilliseconds(), window.End.ToUnixTimeMilliseconds(), rate.Limit);
        return used is { } u ? new RateState(rate.Limit, rate.Limit - u, window.End, false) : new RateState(rate.Limit, 0, window.End, true);
    }

    /// <summary>Returns a request taken earlier in this transaction, because a later check refused it: a refusal counts nothing.</summary>
    public static Task GiveBackAsync(BatchScope scope, string customer, string feature, RateLimit rate) =>
        scope.ExecuteAsync(GiveBack, customer, feature, QuotaWindow.RateWindow(rate, scope.Now).Start.ToUnixTimeMilliseconds());

    /// <summary>The window's state as it stands, for answers that count nothing (check).</summary>
    public static async Task<RateState> PeekAsync(SqlScope scope, string customer, string feature, RateLimit rate, DateTimeOffset now)
    {
        var window = QuotaWindow.RateWindow(rate, now);
        var used = await scope.RowAsync<long?>(Read, r => r.GetInt64(0), customer, feature, window.Start.ToUnixTimeMilliseconds()) ?? 0;
        return new RateState(rate.Limit, Math.Max(0, rate.Limit - used), window.End, used >= rate.Limit);
    }
}
