using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Server.Alerts;
using Tollgate.Storage.Database;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Llm;

/// <summary>
/// What a batch's logged calls add to counters: token meters, members' shares of them, and the plan's LLM budget, each
/// row once per batch, all of them in one round trip on PostgreSQL. A call is logged after the fact, so nothing here
/// refuses: meters count past a hard cap (the checks after them are refused) and spend is never capped (the budget gate
/// is at reserve and consume).
/// </summary>
internal sealed class LlmCounterAggregate : IBatchAggregate
{
    private readonly Dictionary<(string Customer, string Feature, long Start), Row> _rows = [];
    private AlertWriter? _alerts;
    private SqlDialect? _dialect;

    public bool WritesCounters => true;

    /// <summary>A call's amount on one of its plan's token meters, and on the member's share of it when one applies.</summary>
    public void Meter(AlertWriter alerts, EntitlementContext context, PlanFeature grant, long amount)
    {
        _alerts = alerts;
        var window = context.Window(grant);
        Add(context.CustomerId, context.CustomerId, grant.FeatureCode, window, grant, amount).Caller = (context, grant);
        if (MemberShares.ShareOf(context, grant) is { } share)
        {
            Add(context.CustomerId, context.MemberId!, grant.FeatureCode, window, share, amount);
        }
    }

    /// <summary>Logged cost spent against the customer's LLM budget (<paramref name="budget"/>) in its <paramref name="window"/>.</summary>
    public void Spend(AlertWriter alerts, SqlDialect dialect, string customer, BillingPeriod window, PlanFeature budget, long cost)
    {
        (_alerts, _dialect) = (alerts, dialect);
        Add(customer, customer, LlmBudget.FeatureCode, window, budget, cost).Budget = budget.MonthlyQuota;
    }

    public async Task FlushAsync(BatchScope scope)
    {
        // Every batch on every node takes counters in this order (customer, then feature; an organisation's counter before
        // its members' shares, as a consume takes them), and all of them before any grant and before the rollups, so
        // two batches never wait on each other in a cycle.
        var rows = _rows.Values.OrderBy(r => r.Owner, StringComparer.Ordinal).ThenBy(r => r.Feature, StringComparer.Ordinal)
            .ThenBy(r => r.Customer == r.Owner ? 0 : 1).ThenBy(r => r.Customer, StringComparer.Ordinal).ThenBy(r => r.Window.Start).ToArray();
        var after = await Counters.AddManyAsync(scope, [.. rows.Select(r => new CounterAdd(r.Customer, r.Feature, r.Window, r.Grant, r.Amount))]);
        for (var i = 0; i < rows.Length; i++)
        {
            if (rows[i].Budget is { } budget)
            {
                await SpentAsync(scope, rows[i], budget, after[i]);
            }
            else
            {
                await MeteredAsync(scope, rows[i], after[i]);
            }
        }
    }

    /// <summary>
    /// The batch's alerts for one counter, from the counter before and after the batch's whole add: one update that crosses
    /// several thresholds fires only the highest, as a consume of the same amount would, whatever calls it was made of.
    /// </summary>
    private async Task MeteredAsync(BatchScope scope, Row row, CounterState after)
    {
        // A member's share has no calls of its own: its organisation's counter alerts.
        if (row.Caller is var (context, grant))
        {
            await _alerts!.OnUsedAsync(scope, context, row.Feature, grant, after, row.Amount);
        }
    }

    /// <summary>Spend past the plan's budget is drawn from budget grants, which then hold it instead of the counter.</summary>
    private async Task SpentAsync(BatchScope scope, Row row, long budget, CounterState after)
    {
        var (total, cover, _) = await GrantDraw.AfterAddAsync(scope, _dialect!, row.Customer, LlmBudget.FeatureCode, row.Window,
            row.Grant with { HardCap = false }, row.Amount, reserve: false, after);
        if (cover is { Taken: > 0 })
        {
            await LlmGrantDraws.RecordAsync(scope, row.Customer, row.Window.Start.ToUnixTimeMilliseconds(), cover.Takes, scope.NowMs);
        }

        if (total is { } spent)
        {
            await _alerts!.OnBudgetSpentAsync(scope, row.Customer, LlmBudget.FeatureCode, row.Window, budget, spent.Used, row.Amount);
        }
    }

    private Row Add(string owner, string customer, string feature, BillingPeriod window, PlanFeature grant, long amount)
    {
        var key = (customer, feature, window.Start.ToUnixTimeMilliseconds());
        if (!_rows.TryGetValue(key, out var row))
        {
            _rows[key] = row = new Row(owner, customer, feature, window);
        }

        // The latest call's terms set the row's limit, as each call's own add did.
        row.Grant = grant;
        row.Amount += amount;
        return row;
    }

    /// <summary>One counter row's total for the batch; <see cref="Owner"/> is the organisation a member's share belongs to.</summary>
    private sealed class Row(string owner, string customer, string feature, BillingPeriod window)
    {
        public string Owner => owner;

        public string Customer => customer;

        public string Feature => feature;

        public BillingPeriod Window => window;

        public PlanFeature Grant { get; set; } = null!;

        public long Amount { get; set; }

        public long? Budget { get; set; }

        /// <summary>The latest call's customer context and terms, which its alerts are told in; null on a member's share.</summary>
        public (EntitlementContext Context, PlanFeature Grant)? Caller { get; set; }
    }
}
