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
    public Task<TrackResult> TrackAsync(IReadOnlyList<MetricEvent> events, IReadOnlyList<BillableMetric> metrics) =>
        events.Count == 0
            ? Task.FromResult(new TrackResult(0, [], []))
            : committer.RunAsync(events[0].CustomerId, scope => Intake(metrics).TrackAsync(scope, events));

    private EventIntake<MetricEvent> Intake(IReadOnlyList<BillableMetric> metrics) => new(contexts)
    {
        // The features counting a metric of this event, each in its current window; late events are not re-rated yet.
        Refuse = (e, context, scope) => e.Timestamp < scope.Now - EventStore.MaxAge || Counted(context, e.EventName, metrics).Any(c => e.Timestamp < c.Window.Start)
            ? "timestamp: is before the current quota window of a feature counting this event (or older than 35 days)"
            : null,
        Insert = (e, context, scope) => scope.Command("""
            INSERT INTO metric_events (customer_id, id, event_name, occurred_at, received_at, properties_json)
            VALUES (@customer, @Id, @EventName, @occurredAt, @now, @PropertiesJson)
            ON CONFLICT (customer_id, id) DO NOTHING
            """, new { customer = context.CustomerId, e.Id, e.EventName, occurredAt = e.Timestamp.ToUnixTimeMilliseconds(), now = scope.NowMs, e.PropertiesJson }),
        CountAsync = (e, context, scope) => FoldAsync(scope, context, e with { CustomerId = context.CustomerId }, metrics),
    };

    /// <summary>Folds a kept event into the rollup of every metric counting it and sets each counting feature's counter.</summary>
    private async Task FoldAsync(BatchScope scope, EntitlementContext context, MetricEvent e, IReadOnlyList<BillableMetric> metrics)
    {
        using var properties = JsonDocument.Parse(e.PropertiesJson);
        var values = new Dictionary<(string Metric, long Start, long End), long>();
        foreach (var (metric, feature, grant, window) in Counted(context, e.EventName, metrics))
        {
            var key = (metric.Code, window.Start.ToUnixTimeMilliseconds(), window.End.ToUnixTimeMilliseconds());
            if (!values.TryGetValue(key, out var value))
            {
                // Two features counting one metric in the same window share its rollup: the event folds in once.
                var folded = await MetricRollups.FoldAsync(scope, e, metric, key.Item2, key.Item3, properties.RootElement);
                if (folded is null)
                {
                    continue;
                }

                values[key] = value = folded.Value;
            }

            await SetCounterAsync(scope, context, feature, grant, window, value, metric, e.Timestamp);
        }
    }

    /// <summary>The (metric, feature, grant, window) the customer's plan counts for an event of this name.</summary>
    internal static List<(BillableMetric Metric, string Feature, PlanFeature Grant, Core.Periods.BillingPeriod Window)> Counted(
        EntitlementContext context, string eventName, IReadOnlyList<BillableMetric> metrics) =>
        [.. (context.Version?.Terms.Features ?? []).Where(f => f.Metric is not null)
            .SelectMany(f => metrics.Where(m => m.Code == f.Metric && m.Event == eventName).Select(m => (m, f.FeatureCode)))
            .Select(x => context.Grant(x.FeatureCode) is { } grant ? (x.m, x.FeatureCode, grant, context.Window(grant)) : default)
            .Where(x => x.m is not null)];

    /// <summary>The feature's counter takes the metric's value in the window; alerts see what it added.</summary>
    private async Task SetCounterAsync(
        BatchScope scope, EntitlementContext context, string feature, PlanFeature grant, Core.Periods.BillingPeriod window, long value,
        BillableMetric metric, DateTimeOffset at)
    {
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
            scope.AddDailyUsage(context.CustomerId, feature, at, value - before.Used);
        }

        await alerts.OnUsedAsync(scope, context, feature, grant, before with { Used = value }, value - before.Used);
    }
}

/// <summary>One event with properties, already checked for shape.</summary>
public sealed record MetricEvent(int Index, string Id, string CustomerId, string EventName, DateTimeOffset Timestamp, string PropertiesJson)
    : ITrackedEvent;
