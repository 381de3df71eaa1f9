using System.Data;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Alerts;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// Events with properties: each is kept once under its id, and folded into the rollup of every metric that reads it, per
/// quota window of the plan features that count that metric, and per group. The feature's counter then holds the metric's
/// value, so check, usage, alerts and overage read it as they read any counter. An event dated in a window that already
/// closed folds into that window if it arrives at most <see cref="EventOptions.LateDays"/> after the close, and the window
/// waits in late_usage_windows for the next invoice to re-rate it.
/// </summary>
public sealed class MetricEventStore(GroupCommitter committer, EntitlementContextCache contexts, AlertWriter alerts, IOptions<EventOptions> options,
    CatalogCache catalog, TimeProvider time)
{
    private static readonly Statement InsertEvent = new("""
        INSERT INTO metric_events (customer_id, id, event_name, occurred_at, received_at, properties_json)
        VALUES (@customer, @id, @event, @occurred, @now, @properties)
        ON CONFLICT (customer_id, id) DO NOTHING
        RETURNING 1
        """, ("customer", DbType.String), ("id", DbType.String), ("event", DbType.String), ("occurred", DbType.Int64), ("now", DbType.Int64),
        ("properties", DbType.String));

    /// <summary>
    /// Keeps and folds the events in one transaction, keyed (or run alone) by <see cref="CounterLockOrder"/>; the fold
    /// takes its rollups and counters in key order.
    /// </summary>
    public async Task<TrackResult> TrackAsync(IReadOnlyList<MetricEvent> events, IReadOnlyList<BillableMetric> metrics,
        CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return new TrackResult(0, [], []);
        }

        var order = await CounterLockOrder.OfAsync(contexts, await catalog.GetAsync(cancellationToken), time.GetUtcNow(),
            events.Select(e => e.CustomerId), cancellationToken);
        return await committer.RunAsync(order.Key, async scope =>
            {
                // Checked in the batch's own transaction, against its clock, before anything is written: one event too late
                // refuses the whole request, as a malformed one does.
                var contextOf = await Intake(null).ContextsAsync(scope, events);
                var tooLate = await TooLateAsync(scope, events, contextOf, metrics);
                if (tooLate.Count > 0)
                {
                    return new TrackResult(0, [], []) { TooLate = tooLate };
                }

                var intake = Intake(await UnbilledAsync(scope, events, contextOf));
                return await intake.TrackManyAsync(scope, events, contextOf,
                    (e, context, s) => new PlannedStatement(InsertEvent, [context.CustomerId, e.Id, e.EventName, e.Timestamp.ToUnixTimeMilliseconds(),
                        s.NowMs, e.PropertiesJson]),
                    (s, kept) => FoldAsync(s, kept, metrics));
            }, cancellationToken, bulk: true, alone: order.Alone); // on the bulk writers, as plain events and LLM calls
    }

    /// <summary>The events dated in a closed window of a feature counting them, more than LateDays after it closed.</summary>
    private async Task<IReadOnlyList<(int Index, DateTimeOffset ClosedAt)>> TooLateAsync(BatchScope scope, IReadOnlyList<MetricEvent> events,
        IReadOnlyDictionary<string, EntitlementContext?> contextOf, IReadOnlyList<BillableMetric> metrics)
    {
        var late = new List<(MetricEvent Event, string Customer, DateTimeOffset ClosedAt)>();
        foreach (var e in events)
        {
            if (contextOf[e.CustomerId] is not { } context)
            {
                continue; // the intake refuses an unknown customer per event
            }

            var closed = Counted(context, e.EventName, metrics, e.Timestamp).Select(c => c.Window.End)
                .Where(end => end <= scope.Now && scope.Now - end > options.Value.Late).ToList();
            if (closed.Count > 0)
            {
                late.Add((e, context.CustomerId, closed.Min()));
            }
        }

        // A retry of an event kept before its window grew too old is not late: it gets its first answer, a duplicate.
        var kept = await scope.PipelineAsync([.. late.Select(l => new PlannedStatement(KeptEvent, [l.Customer, l.Event.Id]))]);
        return [.. late.Where((_, i) => kept[i] is null).Select(l => (l.Event.Index, l.ClosedAt))];
    }

    private static readonly Statement LastEnded = new("SELECT MAX(ended_at) FROM subscriptions WHERE customer_id = @customer",
        ("customer", DbType.String));

    private static readonly Statement KeptEvent = new("SELECT 1 FROM metric_events WHERE customer_id = @customer AND id = @id",
        ("customer", DbType.String), ("id", DbType.String));

    // Lateness was checked for the whole batch; what is left is the age past which ids are not kept for de-duplication,
    // and usage no invoice would ever bill.
    private EventIntake<MetricEvent> Intake(IReadOnlyDictionary<int, string>? unbilled) => new(contexts)
    {
        Refuse = (e, context, scope) => e.Timestamp < scope.Now - EventStore.MaxAge ? "timestamp: is older than 35 days"
            : unbilled?.GetValueOrDefault(e.Index),
    };

    /// <summary>
    /// Events dated where no invoice will bill them, by index, with why: before the customer's live subscription began
    /// (they fell into a window extrapolated back under today's plan), or, for a customer with none, before the end of
    /// the last one (its final invoice is issued; a late event was kept and never billed). Each is refused alone, as an
    /// unknown customer is. One read for the batch, and only for customers without a live subscription.
    /// </summary>
    private static async Task<IReadOnlyDictionary<int, string>> UnbilledAsync(BatchScope scope, IReadOnlyList<MetricEvent> events,
        IReadOnlyDictionary<string, EntitlementContext?> contextOf)
    {
        var withoutSubscription = events.Where(e => e.Timestamp < scope.Now && contextOf[e.CustomerId] is { Subscription: null })
            .Select(e => contextOf[e.CustomerId]!.CustomerId).Distinct().ToArray();
        var ends = await scope.PipelineAsync([.. withoutSubscription.Select(c => new PlannedStatement(LastEnded, [c]))]);
        var endedAt = new Dictionary<string, long>();
        for (var i = 0; i < withoutSubscription.Length; i++)
        {
            if (ends[i] is [not null and var ms])
            {
                endedAt[withoutSubscription[i]] = Convert.ToInt64(ms, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var unbilled = new Dictionary<int, string>();
        foreach (var e in events)
        {
            var context = contextOf[e.CustomerId];
            if (context?.Subscription is { } live && e.Timestamp < live.BillsUsageFrom)
            {
                unbilled[e.Index] = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"timestamp: is before the customer's subscription began ({live.BillsUsageFrom:yyyy-MM-ddTHH:mm:ssZ}); no invoice of it bills earlier usage");
            }
            else if (context is { Subscription: null } && endedAt.TryGetValue(context.CustomerId, out var ms) && e.Timestamp.ToUnixTimeMilliseconds() < ms)
            {
                unbilled[e.Index] = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"timestamp: is before the customer's subscription ended ({DateTimeOffset.FromUnixTimeMilliseconds(ms):yyyy-MM-ddTHH:mm:ssZ}); its final invoice is issued and bills no later usage");
            }
        }

        return unbilled;
    }

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
            foreach (var (metric, feature, grant, window) in Counted(context, e.EventName, metrics, e.Timestamp))
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
                target.LastAt = e.Timestamp;
            }
        }

        var written = await folds.WriteAsync(scope);
        // Counters in key order too, for the same reason.
        foreach (var target in counters.OrderBy(c => c.Key.Customer, StringComparer.Ordinal).ThenBy(c => c.Key.Feature, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Start).Select(c => c.Value))
        {
            var key = (target.Context.CustomerId, target.Metric.Code, target.Window.Start.ToUnixTimeMilliseconds(), target.Window.End.ToUnixTimeMilliseconds());
            if (target.Metric.Aggregation == MetricAggregation.UniqueCount)
            {
                // A value new to the window adds one on the day of its first event; one counted before adds nothing.
                target.Contributions.AddRange(written.NewValuesAt.GetValueOrDefault(key, []).Select(at => (DateTimeOffset.FromUnixTimeMilliseconds(at), 1L)));
            }

            await SetCounterAsync(scope, target, written.Values[key]);
        }
    }

    /// <summary>A feature whose counter the batch moves, with what each of its events added (for the daily usage history).</summary>
    private sealed record CounterTarget(EntitlementContext Context, string Feature, PlanFeature Grant, Core.Periods.BillingPeriod Window,
        BillableMetric Metric)
    {
        public List<(DateTimeOffset At, long Added)> Contributions { get; } = [];

        /// <summary>The batch's last event for this counter: what the counter moved beyond its events' days goes there.</summary>
        public DateTimeOffset LastAt { get; set; }
    }

    /// <summary>The (metric, feature, grant, window holding the event's timestamp) the customer's plan counts for an event of this name.</summary>
    internal static List<(BillableMetric Metric, string Feature, PlanFeature Grant, Core.Periods.BillingPeriod Window)> Counted(
        EntitlementContext context, string eventName, IReadOnlyList<BillableMetric> metrics, DateTimeOffset at) =>
        [.. (context.Version?.Terms.Features ?? []).Where(f => f.Metric is not null)
            .SelectMany(f => metrics.Where(m => m.Code == f.Metric && m.Event == eventName).Select(m => (m, f.FeatureCode)))
            .Select(x => context.Grant(x.FeatureCode) is { } grant ? (x.m, x.FeatureCode, grant, WindowAt(context, grant, at)) : default)
            .Where(x => x.m is not null)];

    /// <summary>
    /// The grant's window holding <paramref name="at"/>: the current one, or an earlier one taken in the billing period (or
    /// calendar month) that held the instant, so a late event lands in the window it happened in.
    /// </summary>
    internal static Core.Periods.BillingPeriod WindowAt(EntitlementContext context, PlanFeature grant, DateTimeOffset at)
    {
        var current = context.Window(grant);
        return at >= current.Start
            ? current
            : (context with { At = at, Period = context.Subscription?.PeriodAt(at) ?? Core.Periods.BillingPeriod.CalendarMonth(at) }).Window(grant);
    }

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
            // Each event adds on its own day (a unique_count's new value on its first event's); what the counter moved beyond
            // that (a counter behind its rollup) goes on the batch's last day, so the days add up to the move.
            var added = value - before.Used;
            foreach (var (at, amount) in target.Contributions.Where(c => c.Added != 0))
            {
                scope.AddDailyUsage(context.CustomerId, feature, at, amount);
            }

            if (added - target.Contributions.Sum(c => c.Added) is var rest and not 0)
            {
                scope.AddDailyUsage(context.CustomerId, feature, target.LastAt, rest);
            }
        }

        if (window.End <= scope.Now)
        {
            // A closed window: no alert speaks of it any more, and the next invoice re-rates it if it was invoiced (only a
            // subscription is invoiced, so a customer without one leaves no row behind).
            if (context.Subscription is null)
            {
                return;
            }

            await scope.Connection.ExecuteAsync(scope.Command("""
                INSERT INTO late_usage_windows (customer_id, feature_code, window_start, window_end, seq, updated_at)
                VALUES (@customer, @feature, @start, @end, 1, @now)
                ON CONFLICT (customer_id, feature_code, window_start) DO UPDATE SET
                    seq = late_usage_windows.seq + 1, window_end = excluded.window_end, updated_at = excluded.updated_at
                """, new { customer = context.CustomerId, feature, start, end = window.End.ToUnixTimeMilliseconds(), now = scope.NowMs }));
            return;
        }

        await alerts.OnUsedAsync(scope, context, feature, grant, before with { Used = value }, value - before.Used);
    }
}

/// <summary>One event with properties, already checked for shape.</summary>
public sealed record MetricEvent(int Index, string Id, string CustomerId, string EventName, DateTimeOffset Timestamp, string PropertiesJson)
    : ITrackedEvent;
