using System.Data;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// The hot path's first statement on a database other nodes write, planned with a remembered context: one statement
/// that takes the feature's rate-limit request (when it has one) and adds to the counter, only while the customer's
/// context_version is still the one remembered. It answers one row: whether the version held, the rate window's count
/// (null: refused, or no row yet), and the counter (null: missing or refused); for a feature that uses the LLM on a plan
/// with a budget, the budget's counter too, and it counts only while the budget has room. A stale version writes nothing.
/// </summary>
internal static class GuardedTake
{
    private const string Current = "EXISTS (SELECT 1 FROM customers WHERE id = @customer AND context_version = @version)";

    private static readonly Dictionary<(bool Reserve, bool Capped, RateHome Rate), Statement> Statements =
        (from reserve in new[] { false, true } from capped in new[] { false, true }
         from rate in new[] { RateHome.None, RateHome.Table, RateHome.Row } select (reserve, capped, rate))
        .ToDictionary(shape => shape, shape => Build(shape.reserve, shape.capped, shape.rate));

    // A feature that uses the LLM, on a plan with an LLM budget: the plain statement, taken only while the budget has room.
    private static readonly Dictionary<(bool Reserve, bool Capped), Statement> BudgetStatements =
        ByShape((reserve, capped) => Build(reserve, capped, RateHome.None, budgeted: true));

    private static readonly Dictionary<(bool Reserve, bool Capped), Statement> ShareStatements = ByShape(BuildShare);

    // The plain statement (no budget, no share, and no rate limit or one on the counter's row) for a run of customers at
    // once: one execution for the run.
    private static readonly Dictionary<(bool Reserve, bool Capped, bool RowRate), PlannedGroup> Groups = (
        from reserve in new[] { false, true } from capped in new[] { false, true } from rowRate in new[] { false, true } select (reserve, capped, rowRate))
        .ToDictionary(shape => shape, shape => BuildGroup(shape.reserve, shape.capped, shape.rowRate));

    private static readonly Statement VersionCheck = new(
        "SELECT 1 FROM customers WHERE id = @customer AND context_version = @version", ("customer", DbType.String), ("version", DbType.Int64));

    /// <summary>One statement per (reserve, capped) shape, each prepared once per connection.</summary>
    private static Dictionary<(bool Reserve, bool Capped), Statement> ByShape(Func<bool, bool, Statement> build) =>
        (from reserve in new[] { false, true } from capped in new[] { false, true } select (reserve, capped))
        .ToDictionary(shape => shape, shape => build(shape.reserve, shape.capped));

    private static Statement Build(bool reserve, bool capped, RateHome home, bool budgeted = false)
    {
        var column = reserve ? "reserved" : "used";
        // An UPDATE, not the upsert: a customer's first request ever has no row yet, finds none here, and takes the
        // ordinary path, whose upsert creates it. Every later request moves the row in place.
        var rate = home == RateHome.Table ? $"""
            rate AS (
                UPDATE rate_counters SET {RateCounters.Moved("@rateStart", "@rateEnd")}
                WHERE customer_id = @customer AND feature_code = @feature AND {RateCounters.Admits("@rateStart", "@rateLimit")} AND {Current}
                RETURNING used),
            """ : "";
        // On the counter row, the rate window moves with the count itself: one row updated, where the table takes two.
        var rowRate = home == RateHome.Row ? $", {RateCounters.RowMoved("@rateStart")}" : "";
        // The budget's counter is read, not locked, as the ordinary path reads it: consumes check it, logged calls spend it.
        var budget = budgeted ? """
            budget AS (
                SELECT used, reserved, carried_in FROM usage_counters
                WHERE customer_id = @customer AND feature_code = @budgetFeature AND period_start = @budgetStart),
            """ : "";
        var guard = home switch
        {
            RateHome.Table => "EXISTS (SELECT 1 FROM rate)",
            RateHome.Row => $"{RateCounters.RowAdmits("@rateStart", "@rateLimit")} AND {Current}",
            _ => Current,
        } + (budgeted ? " AND COALESCE((SELECT used + reserved FROM budget), 0) < @budget" : "");
        var taken = home switch
        {
            RateHome.Table => ", (SELECT used FROM rate)",
            RateHome.Row => ", counter.rate_used",
            _ => "",
        };
        (string Name, DbType Type)[] parameters = [("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64),
            ("amount", DbType.Int64), ("quota", DbType.Int64), ("now", DbType.Int64), ("version", DbType.Int64)];
        return new Statement($"""
            WITH {rate}{budget}
            counter AS (
                UPDATE usage_counters SET {column} = {column} + @amount, period_limit = @quota + carried_in, updated_at = @now{rowRate}
                WHERE customer_id = @customer AND feature_code = @feature AND period_start = @periodStart
                {(capped ? "AND used + reserved + @amount <= @quota + carried_in" : "")}
                AND {guard}
                RETURNING used, reserved, carried_in{(home == RateHome.Row ? ", rate_used" : "")})
            SELECT {Current}{taken}, counter.used, counter.reserved, counter.carried_in{(budgeted ? ", budget.used, budget.reserved, budget.carried_in" : "")}
            FROM (SELECT 1) AS one LEFT JOIN counter ON TRUE{(budgeted ? " LEFT JOIN budget ON TRUE" : "")}
            """, home switch
        {
            RateHome.Table => [.. parameters, ("rateStart", DbType.Int64), ("rateEnd", DbType.Int64), ("rateLimit", DbType.Int64)],
            RateHome.Row => [.. parameters, ("rateStart", DbType.Int64), ("rateLimit", DbType.Int64)],
            _ when budgeted => [.. parameters, ("budgetFeature", DbType.String), ("budgetStart", DbType.Int64), ("budget", DbType.Int64)],
            _ => parameters,
        });
    }

    /// <summary>
    /// The plain statement (or, with <paramref name="rowRate"/>, the one that counts a rate limit on the counter's row)
    /// over arrays named after that statement's parameters, one element per customer of a run. It answers each
    /// customer's row in that statement's shape (whether the version held, the rate window's count when rated, then the
    /// counter) in input order. The run is in the batch's (customer, feature) order, and the first step locks the
    /// counters in that order, as the run's statements one by one did: a join alone would lock them in whatever order
    /// its plan visits them.
    /// </summary>
    private static PlannedGroup BuildGroup(bool reserve, bool capped, bool rowRate)
    {
        var column = reserve ? "reserved" : "used";
        // The input's rate columns are named apart from the counter's own rate_start and rate_used, which the SET reads.
        var rateInput = rowRate ? ", @rateStart::bigint[], @rateLimit::bigint[]" : "";
        var rateColumns = rowRate ? ", rate_from, rate_limit" : "";
        // A scalar subquery, not EXISTS: PostgreSQL cannot turn it into a join, so each customer is one primary-key
        // lookup whatever the table's statistics say (before its first ANALYZE, the join was a scan of every customer).
        const string Current = "COALESCE((SELECT k.context_version FROM customers k WHERE k.id = i.customer) = i.version, FALSE)";
        return new PlannedGroup($"""
            WITH input AS (
                SELECT * FROM unnest(@customer::text[], @feature::text[], @periodStart::bigint[], @amount::bigint[], @quota::bigint[],
                    @now::bigint[], @version::bigint[]{rateInput})
                    WITH ORDINALITY AS i(customer, feature, period_start, amount, quota, now, version{rateColumns}, idx)),
            locked AS (
                SELECT i.idx FROM input i JOIN usage_counters c
                ON c.customer_id = i.customer AND c.feature_code = i.feature AND c.period_start = i.period_start
                ORDER BY i.idx FOR UPDATE OF c),
            counter AS (
                UPDATE usage_counters c SET {column} = c.{column} + i.amount, period_limit = i.quota + c.carried_in, updated_at = i.now
                    {(rowRate ? ", " + RateCounters.RowMoved("i.rate_from") : "")}
                FROM input i
                WHERE c.customer_id = i.customer AND c.feature_code = i.feature AND c.period_start = i.period_start
                {(capped ? "AND c.used + c.reserved + i.amount <= i.quota + c.carried_in" : "")}
                {(rowRate ? "AND " + RateCounters.RowAdmits("i.rate_from", "i.rate_limit") : "")}
                AND {Current}
                AND (SELECT count(*) FROM locked) >= 0
                RETURNING i.idx, c.used, c.reserved, c.carried_in{(rowRate ? ", c.rate_used" : "")})
            SELECT {Current}{(rowRate ? ", counter.rate_used" : "")}, counter.used, counter.reserved, counter.carried_in
            FROM input i LEFT JOIN counter ON counter.idx = i.idx ORDER BY i.idx
            """);
    }

    /// <summary>
    /// A member's consume or reserve on a grant with <c>per_member_limit</c>, in one statement: it locks the organisation's
    /// counter row first (the order every writer takes the two rows in), adds to the member's share where the share allows
    /// it, and only then to the organisation's counter where its cap allows. It answers whether the version held, the
    /// share's counter (null: missing or refused, and then the organisation's is not touched) and the organisation's.
    /// With the organisation's row missing (a window's first use) nothing is taken, so the ordinary path creates the
    /// organisation's row before the member's.
    /// </summary>
    private static Statement BuildShare(bool reserve, bool capped)
    {
        var column = reserve ? "reserved" : "used";
        const string Key = "feature_code = @feature AND period_start = @periodStart";
        // A data-modifying CTE runs to its end whether read or not, and the share's condition reads the lock (an InitPlan
        // evaluated before the share's row is taken), so the organisation's row is always locked before the member's.
        return new Statement($"""
            WITH org AS (
                SELECT 1 FROM usage_counters WHERE customer_id = @customer AND {Key} FOR UPDATE),
            share AS (
                UPDATE usage_counters SET {column} = {column} + @amount, period_limit = @shareQuota + carried_in, updated_at = @now
                WHERE customer_id = @member AND {Key} AND used + reserved + @amount <= @shareQuota + carried_in
                AND EXISTS (SELECT 1 FROM org) AND {Current}
                RETURNING used, reserved, carried_in),
            counter AS (
                UPDATE usage_counters SET {column} = {column} + @amount, period_limit = @quota + carried_in, updated_at = @now
                WHERE customer_id = @customer AND {Key}
                {(capped ? "AND used + reserved + @amount <= @quota + carried_in" : "")}
                AND EXISTS (SELECT 1 FROM share)
                RETURNING used, reserved, carried_in)
            SELECT {Current}, share.used, share.reserved, share.carried_in, counter.used, counter.reserved, counter.carried_in
            FROM (SELECT 1) AS one LEFT JOIN share ON TRUE LEFT JOIN counter ON TRUE
            """, ("customer", DbType.String), ("member", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64),
            ("amount", DbType.Int64), ("quota", DbType.Int64), ("shareQuota", DbType.Int64), ("now", DbType.Int64), ("version", DbType.Int64));
    }

    /// <summary>
    /// The statement for a member's consume or reserve of <paramref name="amount"/> within their <paramref name="share"/>
    /// of the organisation's <paramref name="grant"/>, against a context read at <paramref name="version"/>; no rate limit.
    /// </summary>
    public static Plan ForShare(string customer, string member, string feature, BillingPeriod window, PlanFeature grant, PlanFeature share,
        long amount, bool reserve, long version)
    {
        var statement = ShareStatements[(reserve, QuotaRules.Enforced(grant))];
        return new Plan(statement, null, Counters.AddStatement(grant, reserve), customer, version, scope => new PlannedStatement(statement,
            [customer, member, feature, window.Start.ToUnixTimeMilliseconds(), amount, grant.MonthlyQuota, share.MonthlyQuota, scope.NowMs, version]),
            Counters.AddAfterLockStatement(share, reserve))
        {
            Row = (feature, window.Start.ToUnixTimeMilliseconds()),
        };
    }

    /// <summary>
    /// The statement for one consume or reserve of <paramref name="amount"/> of a feature that uses the LLM, without a rate
    /// limit, against a context read at <paramref name="version"/>: it counts only while the plan's LLM
    /// <paramref name="budget"/> (in its <paramref name="budgetWindow"/>) has room, and answers the budget's counter too.
    /// </summary>
    public static Plan ForBudgeted(string customer, string feature, BillingPeriod window, PlanFeature grant, long amount, bool reserve, long version,
        PlanFeature budget, BillingPeriod budgetWindow)
    {
        var statement = BudgetStatements[(reserve, QuotaRules.Enforced(grant))];
        return new Plan(statement, null, Counters.AddStatement(grant, reserve), customer, version, scope => new PlannedStatement(statement,
            [customer, feature, window.Start.ToUnixTimeMilliseconds(), amount, grant.MonthlyQuota, scope.NowMs, version,
                budget.FeatureCode, budgetWindow.Start.ToUnixTimeMilliseconds(), budget.MonthlyQuota]))
        {
            Budget = budget.MonthlyQuota,
            Row = (feature, window.Start.ToUnixTimeMilliseconds()),
        };
    }

    /// <summary>The statement for one consume or reserve of <paramref name="amount"/> against a context read at <paramref name="version"/>.</summary>
    public static Plan For(
        string customer, string feature, BillingPeriod window, DateTimeOffset at, PlanFeature grant, long amount, bool reserve, long version)
    {
        var rate = grant.RateLimit;
        var capped = QuotaRules.Enforced(grant);
        var statement = Statements[(reserve, capped, rate is null ? RateHome.None : RateHome.Table)];
        var onRow = rate is null ? null : Statements[(reserve, capped, RateHome.Row)];
        var counter = RateCounters.HomeOf(grant, window);
        // The rate window and its home follow RateCounters' rule, from the instant the quota window was taken at.
        var rateWindow = rate is null ? null : QuotaWindow.RateWindow(rate, at);
        var home = rateWindow is { } w && RateCounters.OnCounterRow(w, counter) ? RateHome.Row : RateHome.Table;
        return new Plan(statement, onRow, Counters.AddStatement(grant, reserve), customer, version, scope =>
        {
            object?[] values = [customer, feature, window.Start.ToUnixTimeMilliseconds(), amount, grant.MonthlyQuota, scope.NowMs, version];
            return rateWindow is not { } rated
                ? new PlannedStatement(statement, values) { Group = Groups[(reserve, capped, false)] }
                : home == RateHome.Row ? new PlannedStatement(onRow!, [.. values, rated.Start.ToUnixTimeMilliseconds(), rate!.Limit])
                {
                    Group = Groups[(reserve, capped, true)],
                }
                : new PlannedStatement(statement, [.. values, rated.Start.ToUnixTimeMilliseconds(), rated.End.ToUnixTimeMilliseconds(), rate!.Limit]);
        })
        {
            Row = (feature, window.Start.ToUnixTimeMilliseconds()),
            // Without a rate limit, only the cap refuses; a rate refusal cannot be told from the row, so none is claimed.
            WouldTake = rate is not null ? null
                : state => !capped || grant.MonthlyQuota is not { } quota || state.Used + state.Reserved + amount <= quota + state.CarriedIn,
        };
    }

    /// <summary>
    /// Whether the remembered context is still current in this transaction. When the planned statement ran, its row is
    /// handed on as the rows of the statements it stood for (the rate take, the counter UPDATE), which the operation's
    /// ordinary path then takes instead of running them; an operation whose statement was not planned (not its customer's
    /// first in the batch) checks the version with one read, unless an earlier one in this batch found it current.
    /// </summary>
    public static async Task<bool> IsCurrentAsync(BatchScope scope, Plan plan)
    {
        var verified = scope.Aggregate<VerifiedVersions>();
        if (scope.Prefetched is { } prefetched
            && (ReferenceEquals(prefetched.Statement, plan.Statement) || ReferenceEquals(prefetched.Statement, plan.OnRow)))
        {
            scope.Prefetched = null;
            if (prefetched.Row is not { } row || row[0] is not true)
            {
                // The context changed (a plan change, a member moved): the operation reads it again and takes its rows.
                scope.BeforeUnplannedTakes();
                return false;
            }

            // A rated statement that took nothing (refused, or the customer's first request with no row yet) wrote
            // nothing, so the operation's ordinary path decides with the upsert. A member's statement hands on the share's
            // row, then (when the share took) the organisation's. A budgeted one hands on the budget's counter, which the
            // ordinary path reads first, then its own; with the budget spent it took nothing, and the ordinary path reads
            // the budget's grants and decides.
            var organisation = plan.Share is not null && row[1] is not null ? new PrefetchedRow(plan.Counter, Counter(row, 4)) : null;
            var handedOn = plan.Budget is { } limit ? BudgetedRows(plan, limit, row)
                : plan.Share is not null ? new PrefetchedRow(plan.Share, Counter(row, 1), organisation)
                : row.Length == 4 ? new PrefetchedRow(plan.Counter, Counter(row, 1))
                : row[1] is null ? null
                : new PrefetchedRow(ReferenceEquals(prefetched.Statement, plan.OnRow) ? RateCounters.RowTakeStatement : RateCounters.TakeStatement,
                    [row[1]], new PrefetchedRow(plan.Counter, Counter(row, 2)));
            // Nothing taken and no row when the statement ran (a window's first use): the ordinary path would create or take
            // this customer's row after the later customers' planned statements took theirs, the reverse of the batch's
            // order, and another node's batch (or a bulk writer's) taking the rows in order deadlocked with it
            // (docs/benchmarks.md, stops 67 and 69). So the batch runs again with this operation unplanned. The row may
            // also have been committed since, by a writer that then waits on a later row this batch holds: a row that now
            // exists and would take the amount was missing then. A refusal, whose row refuses, is answered as before:
            // rerunning for every refusal cost 856 reruns in 1,280 consumes of customers past their quota.
            if (!Took(plan, handedOn) && scope.LaterRowsTaken
                && await scope.RowAsync<CounterState?>(Counters.ReadStatement, r => new CounterState(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)),
                    plan.Customer, plan.Row.Feature, plan.Row.PeriodStart) is var now && (now is null || plan.WouldTake?.Invoke(now.Value) == true))
            {
                scope.BeforeUnplannedTakes();
            }

            scope.Prefetched = handedOn;
            verified.Add(plan.Customer, plan.Version);
            return true;
        }

        if (verified.Contains(plan.Customer, plan.Version))
        {
            return true;
        }

        var current = await scope.RowAsync(VersionCheck, _ => true, plan.Customer, plan.Version);
        if (current)
        {
            verified.Add(plan.Customer, plan.Version);
        }

        return current;
    }

    /// <summary>
    /// Whether the planned statement took the customer's counter row (and so holds its lock): the rows it hands on to the
    /// ordinary path include the counter's, present only when it was taken (a rate refusal, a member's refused share or a
    /// spent budget hand on none).
    /// </summary>
    private static bool Took(Plan plan, PrefetchedRow? handedOn)
    {
        for (var link = handedOn; link is not null; link = link.Next)
        {
            if (ReferenceEquals(link.Statement, plan.Counter))
            {
                return link.Row is not null;
            }
        }

        return false;
    }

    private static object?[]? Counter(object?[] row, int first) => row[first] is null ? null : row[first..(first + 3)];

    /// <summary>
    /// A budgeted statement's rows in the order the ordinary path reads them: the budget's counter (none: no row yet), then
    /// the feature's. Null when the budget had no room: the statement then took nothing, and the ordinary path reads both.
    /// </summary>
    private static PrefetchedRow? BudgetedRows(Plan plan, long limit, object?[] row)
    {
        var budget = Counter(row, 4);
        var spent = budget is null ? 0 : (long)budget[0]! + (long)budget[1]!;
        return spent < limit ? new PrefetchedRow(Counters.ReadStatement, budget, new PrefetchedRow(plan.Counter, Counter(row, 1))) : null;
    }

    /// <summary>
    /// A planned guarded statement (or, for a rate window on the counter row, <paramref name="OnRow"/>), and the counter
    /// UPDATE it stands for; for a member's share, the share's UPDATE too (<paramref name="Share"/>).
    /// </summary>
    internal sealed record Plan(
        Statement Statement, Statement? OnRow, Statement Counter, string Customer, long Version, Func<BatchScope, PlannedStatement> First,
        Statement? Share = null)
    {
        /// <summary>The plan's LLM budget, in nano-USD, when the statement counts only while the budget has room.</summary>
        public long? Budget { get; init; }

        /// <summary>The feature and window start of the customer's counter row the statement takes.</summary>
        public required (string Feature, long PeriodStart) Row { get; init; }

        /// <summary>
        /// Whether the statement would have taken from the counter as it now stands; null where a refusal cannot be read
        /// from the counter alone (a rate limit, a member's share, the LLM budget).
        /// </summary>
        public Func<CounterState, bool>? WouldTake { get; init; }
    }

    /// <summary>Where the planned statement takes a rate-limit request: nowhere, in rate_counters, or on the counter row.</summary>
    private enum RateHome
    {
        None,
        Table,
        Row,
    }

    /// <summary>The (customer, version) pairs this batch's transaction found current; nothing of it is written.</summary>
    private sealed class VerifiedVersions : IBatchAggregate
    {
        private readonly HashSet<(string, long)> _pairs = [];

        public void Add(string customer, long version) => _pairs.Add((customer, version));

        public bool Contains(string customer, long version) => _pairs.Contains((customer, version));

        public Task FlushAsync(BatchScope scope) => Task.CompletedTask;
    }
}
