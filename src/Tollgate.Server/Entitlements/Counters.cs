using System.Data;
using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>The counter row statements. Every change is one conditional UPDATE: never read, then write.</summary>
internal static class Counters
{
    private const string Key = "customer_id = @customer AND feature_code = @feature AND period_start = @periodStart";

    // The hot path: four shapes of one conditional UPDATE, each prepared once per connection.
    private static readonly Statement AddUsed = Add("used", capped: false);
    private static readonly Statement AddUsedCapped = Add("used", capped: true);
    private static readonly Statement AddReserved = Add("reserved", capped: false);
    private static readonly Statement AddReservedCapped = Add("reserved", capped: true);
    private static readonly Statement Read = new(
        $"SELECT used, reserved, carried_in FROM usage_counters WHERE {Key}",
        ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64));

    // A member's share, taken only once the organisation's row of the same window is locked; one shape per Add's.
    private static readonly Dictionary<(bool Reserve, bool Capped), Statement> AddAfterLocks =
        (from reserve in new[] { false, true } from capped in new[] { false, true } select (reserve, capped))
        .ToDictionary(shape => shape, shape => AddAfterLock(shape.reserve ? "reserved" : "used", shape.capped));

    private static readonly Statement Lock = new(
        $"SELECT 1 FROM usage_counters WHERE {Key} FOR UPDATE",
        ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64));

    // RETURNING, though nothing reads it: in a pipeline, PostgreSQL's reader skips the results of statements that answer no rows.
    private static readonly Statement Create = new("""
        INSERT INTO usage_counters (customer_id, feature_code, period_start, period_end, used, reserved, carried_in, period_limit, updated_at)
        VALUES (@customer, @feature, @periodStart, @periodEnd, 0, 0, @carry, @limit, @now)
        ON CONFLICT (customer_id, feature_code, period_start) DO NOTHING
        RETURNING 1
        """, ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64), ("periodEnd", DbType.Int64),
        ("carry", DbType.Int64), ("limit", DbType.Int64), ("now", DbType.Int64));

    // Adds to used, creating the row first when the window has none: a batch sends one per counter, in one round trip.
    private static readonly Statement AddOrCreate = new("""
        INSERT INTO usage_counters (customer_id, feature_code, period_start, period_end, used, reserved, carried_in, period_limit, updated_at)
        VALUES (@customer, @feature, @periodStart, @periodEnd, @amount, 0, @carry, @limit, @now)
        ON CONFLICT (customer_id, feature_code, period_start) DO UPDATE SET used = usage_counters.used + excluded.used,
            period_limit = excluded.period_limit - excluded.carried_in + usage_counters.carried_in, updated_at = excluded.updated_at
        RETURNING used, reserved, carried_in
        """, ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64), ("periodEnd", DbType.Int64),
        ("amount", DbType.Int64), ("carry", DbType.Int64), ("limit", DbType.Int64), ("now", DbType.Int64));

    private const string AddOrCreateMany = """
        INSERT INTO usage_counters AS c (customer_id, feature_code, period_start, period_end, used, reserved, carried_in, period_limit, updated_at)
        SELECT customer, feature, start, finish, amount, 0, carry, lim, @now
        FROM unnest(@customers::text[], @features::text[], @starts::bigint[], @ends::bigint[], @amounts::bigint[], @carries::bigint[], @limits::bigint[])
            WITH ORDINALITY AS v(customer, feature, start, finish, amount, carry, lim, i)
        ORDER BY i
        ON CONFLICT (customer_id, feature_code, period_start) DO UPDATE SET used = c.used + excluded.used,
            period_limit = excluded.period_limit - excluded.carried_in + c.carried_in, updated_at = excluded.updated_at
        RETURNING customer_id, feature_code, period_start, used, reserved, carried_in
        """;

    // What an event adds: used grows past any cap, and the row's limit stays as the plan's last consume set it.
    private static readonly Statement AddEvent = new($"""
        UPDATE usage_counters SET used = used + @amount, updated_at = @now WHERE {Key}
        RETURNING used, reserved, carried_in
        """, ("amount", DbType.Int64), ("now", DbType.Int64), ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64));

    /// <summary>
    /// The statement that keeps a row with <paramref name="insert"/> (an INSERT … ON CONFLICT DO NOTHING) and, only when it
    /// went in, adds @amount to the window's counter, creating the row where missing: one round trip where a CTE may
    /// write (PostgreSQL). The insert's own @customer, @feature, @amount and @now name the counter's; the statement's
    /// parameters are the insert's, then @periodStart, @periodEnd, @carry and @limit. It answers the counter, or no row
    /// when the insert kept nothing; the counter's limit stays as the plan's last consume set it, as <c>AddEvent</c> does.
    /// </summary>
    public static Statement CountingWhenKept(string insert, IReadOnlyList<(string Name, DbType Type)> parameters) => new($"""
        WITH kept AS ({insert} RETURNING 1)
        INSERT INTO usage_counters (customer_id, feature_code, period_start, period_end, used, reserved, carried_in, period_limit, updated_at)
        SELECT @customer, @feature, @periodStart, @periodEnd, @amount, 0, @carry, @limit, @now WHERE EXISTS (SELECT 1 FROM kept)
        ON CONFLICT (customer_id, feature_code, period_start) DO UPDATE SET used = usage_counters.used + excluded.used, updated_at = excluded.updated_at
        RETURNING used, reserved, carried_in
        """, [.. parameters, ("periodStart", DbType.Int64), ("periodEnd", DbType.Int64), ("carry", DbType.Int64), ("limit", DbType.Int64)]);

    /// <summary>
    /// The counter's values a <see cref="CountingWhenKept"/> statement takes after the insert's own, for one window: its
    /// bounds, the carry a new row starts with (read only for a rolling grant) and the limit.
    /// </summary>
    public static async Task<object?[]> PlanCountWhenKeptAsync(BatchScope scope, string customer, string feature, BillingPeriod window, PlanFeature? grant)
    {
        var carry = await CarryAsync(scope, customer, feature, window, grant);
        return [window.Start.ToUnixTimeMilliseconds(), window.End.ToUnixTimeMilliseconds(), carry, grant?.MonthlyQuota is { } q ? q + carry : null];
    }

    /// <summary>The counter after a <see cref="CountingWhenKept"/> statement's add, or null when its insert kept nothing (a duplicate).</summary>
    public static CounterState? StateOf(object?[]? row) => row is null ? null : ReadState(new ValuesRow(row));

    private static readonly Statement Previous = new(
        "SELECT used, period_limit FROM usage_counters WHERE customer_id = @customer AND feature_code = @feature AND period_end = @start",
        ("customer", DbType.String), ("feature", DbType.String), ("start", DbType.Int64));

    private static Statement Add(string column, bool capped) => new($"""
        UPDATE usage_counters SET {column} = {column} + @amount, period_limit = @quota + carried_in, updated_at = @now
        WHERE {Key} {(capped ? "AND used + reserved + @amount <= @quota + carried_in" : "")}
        RETURNING used, reserved, carried_in
        """, ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64), ("amount", DbType.Int64),
        ("quota", DbType.Int64), ("now", DbType.Int64));

    // The lock is an InitPlan the UPDATE's condition reads before it takes its row, so the first row is always locked
    // first; with the first row missing (a lock on it would lock nothing) the UPDATE takes nothing.
    private static Statement AddAfterLock(string column, bool capped) => new($"""
        WITH first AS (SELECT 1 FROM usage_counters WHERE customer_id = @first AND feature_code = @feature AND period_start = @periodStart FOR UPDATE)
        UPDATE usage_counters SET {column} = {column} + @amount, period_limit = @quota + carried_in, updated_at = @now
        WHERE {Key} {(capped ? "AND used + reserved + @amount <= @quota + carried_in" : "")} AND EXISTS (SELECT 1 FROM first)
        RETURNING used, reserved, carried_in
        """, ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64), ("amount", DbType.Int64),
        ("quota", DbType.Int64), ("now", DbType.Int64), ("first", DbType.String));

    /// <summary>Adds to used (or reserved), only where the hard cap allows it; null when the row is missing or the cap refuses.</summary>
    public static Task<CounterState?> TryAddAsync(
        BatchScope scope, string customer, string feature, BillingPeriod period, PlanFeature grant, long amount, bool reserve)
    {
        var (statement, values) = PlanAdd(scope, customer, feature, period, grant, amount, reserve);
        return scope.RowAsync<CounterState?>(statement, ReadState, values);
    }

    /// <summary>Locks the counter row until the transaction ends, where rows are locked (PostgreSQL); nothing when it is missing.</summary>
    public static Task LockAsync(BatchScope scope, string customer, string feature, long periodStart) =>
        scope.ExecuteAsync(Lock, customer, feature, periodStart);

    /// <summary>
    /// <see cref="TryAddAsync"/> on <paramref name="customer"/>'s row after locking <paramref name="first"/>'s row of the same
    /// feature and window (where rows are locked: PostgreSQL), in one statement: the lock is held to the transaction's end.
    /// Null also when <paramref name="first"/>'s row is missing: then neither row was touched, and
    /// <see cref="TryAddCreatingAsync"/> creates them in order.
    /// </summary>
    public static Task<CounterState?> TryAddAfterLockAsync(
        BatchScope scope, string first, string customer, string feature, BillingPeriod period, PlanFeature grant, long amount, bool reserve) =>
        scope.RowAsync<CounterState?>(AddAfterLockStatement(grant, reserve), ReadState, customer, feature, period.Start.ToUnixTimeMilliseconds(),
            amount, grant.MonthlyQuota, scope.NowMs, first);

    /// <summary>The statement <see cref="TryAddAfterLockAsync"/> runs for <paramref name="grant"/>.</summary>
    public static Statement AddAfterLockStatement(PlanFeature grant, bool reserve) => AddAfterLocks[(reserve, QuotaRules.Enforced(grant))];

    /// <summary>
    /// <see cref="TryAddAsync"/> after creating the window's row where missing; with <paramref name="first"/>, that
    /// customer's row of the same feature and window is created (where missing) and locked before, all in one round trip.
    /// Two transactions each creating one of two missing rows wait on each other's insert, so where rows are locked the
    /// first row must exist before the second is made.
    /// </summary>
    public static async Task<CounterState?> TryAddCreatingAsync(BatchScope scope, (string Customer, PlanFeature Grant)? first, string customer,
        string feature, BillingPeriod window, PlanFeature grant, long amount, bool reserve)
    {
        var start = window.Start.ToUnixTimeMilliseconds();
        PlannedStatement[] before = first is var (firstCustomer, firstGrant)
            ? [await PlanCreateAsync(scope, firstCustomer, feature, window, firstGrant), new PlannedStatement(Lock, [firstCustomer, feature, start])]
            : [];
        var rows = await scope.PipelineAsync([.. before, await PlanCreateAsync(scope, customer, feature, window, grant),
            PlanAdd(scope, customer, feature, window, grant, amount, reserve)]);
        return rows[^1] is { } row ? ReadState(new ValuesRow(row)) : null;
    }

    /// <summary>Adds after-the-fact usage (an event: never refused, whatever the cap) to the window's row, creating it first where missing.</summary>
    public static async Task<CounterState> CountAsync(BatchScope scope, string customer, string feature, BillingPeriod window, PlanFeature? grant, long amount)
    {
        await EnsureAsync(scope, customer, feature, window, grant);
        return await scope.RowAsync<CounterState?>(AddEvent, ReadState, amount, scope.NowMs, customer, feature, window.Start.ToUnixTimeMilliseconds())
            ?? throw new InvalidOperationException($"No counter of {customer}/{feature} after it was created.");
    }

    /// <summary>The statement <see cref="TryAddAsync"/> runs, for a batch to send ahead with others.</summary>
    public static PlannedStatement PlanAdd(
        BatchScope scope, string customer, string feature, BillingPeriod period, PlanFeature grant, long amount, bool reserve)
    {
        return new PlannedStatement(AddStatement(grant, reserve), [customer, feature, period.Start.ToUnixTimeMilliseconds(), amount, grant.MonthlyQuota, scope.NowMs]);
    }

    /// <summary>
    /// Adds each amount to used, uncapped (after-the-fact usage), creating missing rows with their carry: every counter in
    /// one statement on PostgreSQL (one more round trip when a grant rolls over), in the order given, which is the order
    /// they are locked in. One row per (customer, feature, window).
    /// </summary>
    public static async Task<CounterState[]> AddManyAsync(BatchScope scope, IReadOnlyList<CounterAdd> adds)
    {
        if (adds.Count == 0)
        {
            return [];
        }

        // A rolling grant's new row starts with what the closed previous window left; every node reads the same carry.
        var rolling = Enumerable.Range(0, adds.Count).Where(i => adds[i].Grant.Rollover).ToArray();
        var previous = await scope.PipelineAsync([.. rolling.Select(i => new PlannedStatement(Previous, [adds[i].Customer, adds[i].Feature,
            adds[i].Window.Start.ToUnixTimeMilliseconds()]))]);
        var carries = new long[adds.Count];
        for (var j = 0; j < rolling.Length; j++)
        {
            var add = adds[rolling[j]];
            if (previous[j] is { } row)
            {
                var before = new ValuesRow(row);
                carries[rolling[j]] = QuotaRules.CarryOver(add.Grant, before.IsDBNull(1) ? null : before.GetInt64(1), before.GetInt64(0));
            }
            else
            {
                carries[rolling[j]] = await IdleCarryAsync(scope, add.Customer, add.Window, add.Grant);
            }
        }

        if (!scope.BatchesRows)
        {
            var rows = await scope.PipelineAsync([.. adds.Select((a, i) => new PlannedStatement(AddOrCreate, [a.Customer, a.Feature,
                a.Window.Start.ToUnixTimeMilliseconds(), a.Window.End.ToUnixTimeMilliseconds(), a.Amount, carries[i],
                a.Grant.MonthlyQuota is { } q ? q + carries[i] : null, scope.NowMs]))]);
            return [.. rows.Select(r => ReadState(new ValuesRow(r!))!.Value)];
        }

        // One statement for every row: the rows are taken in the given order (ORDER BY the position), each once.
        var changed = await scope.RowsAsync(AddOrCreateMany, ("customers", adds.Select(a => a.Customer).ToArray()),
            ("features", adds.Select(a => a.Feature).ToArray()), ("starts", adds.Select(a => a.Window.Start.ToUnixTimeMilliseconds()).ToArray()),
            ("ends", adds.Select(a => a.Window.End.ToUnixTimeMilliseconds()).ToArray()), ("amounts", adds.Select(a => a.Amount).ToArray()),
            ("carries", carries), ("limits", adds.Select((a, i) => a.Grant.MonthlyQuota + carries[i]).ToArray()), ("now", scope.NowMs));
        var states = changed.ToDictionary(r => ((string)r[0]!, (string)r[1]!, (long)r[2]!), r => new CounterState((long)r[3]!, (long)r[4]!, (long)r[5]!));
        return [.. adds.Select(a => states[(a.Customer, a.Feature, a.Window.Start.ToUnixTimeMilliseconds())])];
    }

    /// <summary>Which of the four shapes of the conditional UPDATE adds <paramref name="grant"/>'s amount.</summary>
    public static Statement AddStatement(PlanFeature grant, bool reserve) => (reserve, QuotaRules.Enforced(grant)) switch
    {
        (false, false) => AddUsed,
        (false, true) => AddUsedCapped,
        (true, false) => AddReserved,
        _ => AddReservedCapped,
    };

    /// <summary>The statement <see cref="ReadAsync"/> runs, for a planned statement that reads the same row ahead of it.</summary>
    public static Statement ReadStatement => Read;

    /// <summary>The counter as this transaction sees it; empty when the period has no row yet.</summary>
    public static async Task<CounterState> ReadAsync(SqlScope scope, string customer, string feature, long periodStart) =>
        await scope.RowAsync<CounterState?>(Read, ReadState, customer, feature, periodStart) ?? CounterState.Empty;

    private static CounterState? ReadState(IRow r) => new CounterState(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));

    /// <summary>Moves a hold to used: releases <paramref name="held"/> and adds <paramref name="actual"/>, capped only when it grows.</summary>
    public static async Task<CounterState?> TrySettleAsync(
        BatchScope scope, string customer, string feature, long periodStart, PlanFeature? grant, long held, long actual)
    {
        var cap = grant is not null && QuotaRules.Enforced(grant) && actual > held
            ? "AND used + reserved - @held + @actual <= @quota + carried_in" : "";
        var row = await scope.Connection.QuerySingleOrDefaultAsync<CounterRow>(scope.Command($"""
            UPDATE usage_counters SET reserved = reserved - @held, used = used + @actual, updated_at = @now
            WHERE {Key} {cap}
            RETURNING used, reserved, carried_in
            """, new { customer, feature, periodStart, held, actual, quota = grant?.MonthlyQuota, now = scope.NowMs }));
        return row?.ToState();
    }

    /// <summary>Creates the window's row if missing, carrying over what the previous window left unused when the grant rolls over.</summary>
    public static async Task EnsureAsync(BatchScope scope, string customer, string feature, BillingPeriod window, PlanFeature? grant) =>
        await scope.PipelineAsync([await PlanCreateAsync(scope, customer, feature, window, grant)]);

    private static async Task<PlannedStatement> PlanCreateAsync(BatchScope scope, string customer, string feature, BillingPeriod window, PlanFeature? grant)
    {
        var carry = await CarryAsync(scope, customer, feature, window, grant);
        return new PlannedStatement(Create, [customer, feature, window.Start.ToUnixTimeMilliseconds(), window.End.ToUnixTimeMilliseconds(), carry,
            grant?.MonthlyQuota is { } q ? q + carry : null, scope.NowMs]);
    }

    /// <summary>
    /// What the previous window left unused, for a rolling grant. The previous window is closed, so every node computes the
    /// same carry; ON CONFLICT keeps the first row.
    /// </summary>
    private static async Task<long> CarryAsync(SqlScope scope, string customer, string feature, BillingPeriod window, PlanFeature? grant)
    {
        if (grant is not { Rollover: true })
        {
            return 0;
        }

        var previous = await scope.Connection.QuerySingleOrDefaultAsync<PreviousRow>(scope.Command(
            "SELECT used, period_limit FROM usage_counters WHERE customer_id = @customer AND feature_code = @feature AND period_end = @start",
            new { customer, feature, start = window.Start.ToUnixTimeMilliseconds() }));
        return previous is null
            ? await IdleCarryAsync(scope, customer, window, grant)
            : QuotaRules.CarryOver(grant, previous.PeriodLimit, previous.Used);
    }

    /// <summary>
    /// The carry from a previous window with no row: nothing was used in it, so it leaves its limit (at most one window's,
    /// as <see cref="QuotaRules.CarryOver"/> caps it); the first window after a subscription's anchor or start, or a
    /// customer's creation, follows no window of theirs and carries nothing. Read only when a rolling grant's row is created.
    /// </summary>
    private static async Task<long> IdleCarryAsync(SqlScope scope, string customer, BillingPeriod window, PlanFeature grant)
    {
        var held = await scope.Connection.QuerySingleOrDefaultAsync<HeldSince>(scope.Command("""
            SELECT c.created_at AS CustomerCreated, s.anchor_at AS Anchor, s.created_at AS SubscriptionCreated
            FROM customers c
            LEFT JOIN subscriptions s ON s.id = (SELECT id FROM subscriptions
                WHERE customer_id = c.id AND status IN ('trialing', 'active', 'past_due') ORDER BY created_at DESC LIMIT 1)
            WHERE c.id = @customer
            """, new { customer }));
        if (held is null)
        {
            return 0;
        }

        var anchor = held.Anchor is { } a ? DateTimeOffset.FromUnixTimeMilliseconds(a) : (DateTimeOffset?)null;
        var since = DateTimeOffset.FromUnixTimeMilliseconds(held.SubscriptionCreated ?? held.CustomerCreated);
        return QuotaWindow.FollowsAHeldWindow(grant.Reset, window, anchor, since)
            ? QuotaRules.CarryOver(grant, grant.MonthlyQuota, 0)
            : 0;
    }

    /// <summary>The window's counter, or, before its first use, what it will start with: nothing used and the carry it will get.</summary>
    public static async Task<CounterState> ReadOrCarryAsync(SqlScope scope, string customer, string feature, BillingPeriod window, PlanFeature grant)
    {
        var row = await scope.RowAsync<CounterState?>(Read, ReadState, customer, feature, window.Start.ToUnixTimeMilliseconds());
        return row ?? new CounterState(0, 0, await CarryAsync(scope, customer, feature, window, grant));
    }

    /// <summary>Every counter of the customer whose window holds <paramref name="at"/>, keyed by feature and window start.</summary>
    public static async Task<IReadOnlyList<HeldCounter>> ReadHoldingAsync(SqlScope scope, string customer, DateTimeOffset at)
    {
        var rows = await scope.Connection.QueryAsync<CounterRow>(scope.Command(
            """
            SELECT feature_code, period_start, period_end, used, reserved, carried_in FROM usage_counters
            WHERE customer_id = @customer AND period_start <= @at AND period_end > @at
            """,
            new { customer, at = at.ToUnixTimeMilliseconds() }));
        return [.. rows.Select(r => new HeldCounter(r.FeatureCode, r.Window, r.ToState()))];
    }

    private sealed class HeldSince
    {
        public long CustomerCreated { get; set; }
        public long? Anchor { get; set; }
        public long? SubscriptionCreated { get; set; }
    }

    private sealed class PreviousRow
    {
        public long Used { get; set; }
        public long? PeriodLimit { get; set; }
    }
}

/// <summary>An amount a batch adds to one counter row, with the grant the row is created and limited by.</summary>
internal sealed record CounterAdd(string Customer, string Feature, BillingPeriod Window, PlanFeature Grant, long Amount);

/// <summary>A stored counter and the window it was counted in.</summary>
public sealed record HeldCounter(string Feature, BillingPeriod Window, CounterState State);
