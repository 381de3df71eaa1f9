using System.Data;
using System.Text.Json;
using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Alerts;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// Events with properties: each is kept once under its id, and folded into the rollup of every metric that reads it, per
/// quota window of the plan features that count that metric, and per group. The feature's counter then holds the metric's
/// value, so check, usage, alerts and overage read it as they read any counter.
/// </summary>
public sealed class MetricEventStore(GroupCommitter committer, EntitlementContextCache contexts, AlertWriter alerts)
{
    private static readonly Statement InsertEvent = new("""
        INSERT INTO metric_events (customer_id, id, event_name, occurred_at, received_at, properties_json)
        VALUES (@customer, @id, @event, @occurred, @now, @properties)
        ON CONFLICT (customer_id, id) DO NOTHING
        RETURNING 1
        """, ("customer", DbType.String), ("id", DbType.String), ("event", DbType.String), ("occurred", DbType.Int64), ("now", DbType.Int64),
        ("properties", DbType.String));

    public Task<TrackResult> TrackAsync(IReadOnlyList<MetricEvent> events, IReadOnlyList<BillableMetric> metrics) =>
        events.Count == 0
            ? Task.FromResult(new TrackResult(0, [], []))
            : committer.RunAsync(events[0].CustomerId, scope => Intake(metrics).TrackManyAsync(scope, events,
                (e, context, s) => new PlannedStatement(InsertEvent, [context.CustomerId, e.Id, e.EventName, e.Timestamp.ToUnixTimeMilliseconds(), s.NowMs,
                    e.PropertiesJson]),
                (s, kept) => FoldAsync(s, kept, metrics)));

    private EventIntake<MetricEvent> Intake(IReadOnlyList<BillableMetric> metrics) => new(contexts)
    {
        // The features counting a metric of this event, each in its current window; late events are not re-rated yet.
        Refuse = (e, context, scope) => e.Timestamp < scope.Now - EventStore.MaxAge || Counted(context, e.EventName, metrics).Any(c => e.Timestamp < c.Window.Start)
            ? "timestamp: is before the current quota window of a feature counting this event (or older than 35 days)"
            : null,
    };

    /// <summary>
    /// Folds the kept events of a batch into the rollup of every metric counting them (one upsert per window and group,
    /// whatever the number of events), then sets each counting feature's counter once.
    /// </summary>
    private async Task FoldAsync(BatchScope scope, IReadOnlyList<(MetricEvent Event, EntitlementContext Context)> kept,
        IReadOnlyList<BillableMetric> metrics)
    {
        var folds = new MetricFolds();
        var counters = new Dictionary<(string Customer, string Feature, long Start), CounterTarget>();
        foreach (var (e, context) in kept)
        {
            using var properties = JsonDocument.Parse(e.PropertiesJson);
            var folded = new Dictionary<(string Metric, long Start, long End), long?>();
            foreach (var (metric, feature, grant, window) in Counted(context, e.EventName, metrics))
            {
                var key = (metric.Code, window.Start.ToUnixTimeMilliseconds(), window.End.ToUnixTimeMilliseconds());
                // Two features counting one metric in the same window share its rollup: the event folds in once.
                if (!folded.TryGetValue(key, out var contribution))
                {
                    folded[key] = contribution = folds.Add(context.CustomerId, e, metric, key.Item2, key.Item3, properties.RootElement);
                }

                if (contribution is not { } added)
                {
                    continue;
                }

                if (!counters.TryGetValue((context.CustomerId, feature, key.Item2), out var target))
                {
                    counters[(context.CustomerId, feature, key.Item2)] = target = new CounterTarget(context, feature, grant, window, metric);
                }

                target.Contributions.Add((e.Timestamp, added));
            }
        }

        var values = await folds.WriteAsync(scope);
        foreach (var target in counters.Values)
        {
            var window = (target.Metric.Code, target.Window.Start.ToUnixTimeMilliseconds(), target.Window.End.ToUnixTimeMilliseconds());
            await SetCounterAsync(scope, target, values[(target.Context.CustomerId, window.Code, window.Item2, window.Item3)]);
        }
    }

    /// <summary>A feature whose counter the batch moves, with what each of its events added (for the daily usage history).</summary>
    private sealed record CounterTarget(EntitlementContext Context, string Feature, PlanFeature Grant, Core.Periods.BillingPeriod Window,
        BillableMetric Metric)
    {
        public List<(DateTimeOffset At, long Added)> Contributions { get; } = [];
    }

    /// <summary>The (metric, feature, grant, window) the customer's plan counts for an event of this name.</summary>
    internal static List<(BillableMetric Metric, string Feature, PlanFeature Grant, Core.Periods.BillingPeriod Window)> Counted(
        EntitlementContext context, string eventName, IReadOnlyList<BillableMetric> metrics) =>
        [.. (context.Version?.Terms.Features ?? []).Where(f => f.Metric is not null)
            .SelectMany(f => metrics.Where(m => m.Code == f.Metric && m.Event == eventName).Select(m => (m, f.FeatureCode)))
            .Select(x => context.Grant(x.FeatureCode) is { } grant ? (x.m, x.FeatureCode, grant, context.Window(grant)) : default)
            .Where(x => x.m is not null)];

    /// <summary>The feature's counter takes the metric's value in the window; alerts see what it added.</summary>
    private async Task SetCounterAsync(BatchScope scope, CounterTarget target, long value)
    {
        var (context, feature, grant, window, metric) = target;
        var start = window.Start.ToUnixTimeMilliseconds();
        await Counters.EnsureAsync(scope, context.CustomerId, feature, window, grant);
        var before = await Counters.ReadAsync(scope, context.CustomerId, feature, start);
        if (before.Used == value)
        {
            return;
        }

        await scope.Connection.ExecuteAsync(scope.Command("""
            UPDATE usage_counters SET used = @value, updated_at = @now
            WHERE customer_id = @customer AND feature_code = @feature AND period_start = @start
            """, new { value, now = scope.NowMs, customer = context.CustomerId, feature, start }));
        if (metric.Aggregation is MetricAggregation.Count or MetricAggregation.Sum or MetricAggregation.UniqueCount)
        {
            // Usage history adds what each day added; a max or latest is a level, not an amount used, so it has no daily total.
            // Each event adds on its own day; what the counter moved beyond that (a unique_count's value counted by an earlier
            // batch, a counter behind its rollup) goes on the batch's last day, so the days add up to the move.
            var added = value - before.Used;
            foreach (var (at, amount) in target.Contributions.Where(c => c.Added != 0))
            {
                scope.AddDailyUsage(context.CustomerId, feature, at, amount);
            }

            if (added - target.Contributions.Sum(c => c.Added) is var rest and not 0)
            {
                scope.AddDailyUsage(context.CustomerId, feature, target.Contributions[^1].At, rest);
            }
        }

        await alerts.OnUsedAsync(scope, context, feature, grant, before with { Used = value }, value - before.Used);
    }
}

/// <summary>One event with properties, already checked for shape.</summary>
public sealed record MetricEvent(int Index, string Id, string CustomerId, string EventName, DateTimeOffset Timestamp, string PropertiesJson)
    : ITrackedEvent;
