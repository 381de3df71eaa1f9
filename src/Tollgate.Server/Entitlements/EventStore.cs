using System.Data;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Alerts;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;
using Tollgate.Storage.Retention;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// After-the-fact usage ("track, not gate"): each event counts against its customer's current period and is never
/// denied; its id is kept under a unique key so a resent event counts once. The conflict has no target: on PostgreSQL
/// the id is kept in usage_event_keys by a trigger (usage_events is partitioned by time, and its own keys hold the time).
/// </summary>
public sealed class EventStore(GroupCommitter committer, EntitlementContextCache contexts, AlertWriter alerts, CatalogCache catalog, TimeProvider time)
{
    /// <summary>How far back an event may be dated; the kernel's retention keeps ids at least this long.</summary>
    public static TimeSpan MaxAge => RetentionOptions.OldestAcceptedEvent;

    /// <summary>How far ahead of this server's clock an event may be dated.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    private readonly EventIntake<TrackedEvent> intake = new(contexts) { Refuse = Refusal };

    // Prepared once per writer connection: parsed again for every event, it was most of an event's cost on SQLite
    // (docs/benchmarks.md, stop 66).
    private const string KeepSql = """
        INSERT INTO usage_events (customer_id, id, feature_code, amount, occurred_at, received_at, properties_json, metadata_json, member_id)
        VALUES (@customer, @id, @feature, @amount, @occurredAt, @now, @properties, @metadata, @member)
        ON CONFLICT DO NOTHING
        """;

    private static readonly (string Name, DbType Type)[] KeepParameters = [("customer", DbType.String), ("id", DbType.String),
        ("feature", DbType.String), ("amount", DbType.Int64), ("occurredAt", DbType.Int64), ("now", DbType.Int64), ("properties", DbType.String),
        ("metadata", DbType.String), ("member", DbType.String)];

    private static readonly Statement Keep = new(KeepSql, KeepParameters);

    // On PostgreSQL the event is kept and counted in one statement, which takes the same rows in the same order as Keep
    // and then the counter's two statements did (the event's key, then its counter), in one round trip instead of three.
    private static readonly Statement KeepCounting = Counters.CountingWhenKept(KeepSql, KeepParameters);

    private static object?[] Values(TrackedEvent e, EntitlementContext context, BatchScope scope) =>
        [context.CustomerId, e.Id, e.FeatureCode, e.Amount, e.Timestamp.ToUnixTimeMilliseconds(), scope.NowMs, e.PropertiesJson, e.MetadataJson, context.MemberId];

    /// <summary>
    /// Keeps and counts the events in one transaction, taking their counters in <see cref="CounterLockOrder"/>: events of
    /// several organisations in one request, counted in the request's order, deadlocked with another node's request that
    /// named them the other way round.
    /// </summary>
    public async Task<TrackResult> TrackAsync(IReadOnlyList<TrackedEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return new TrackResult(0, [], []);
        }

        var order = await CounterLockOrder.OfAsync(contexts, await catalog.GetAsync(cancellationToken), time.GetUtcNow(),
            events.Select(e => e.CustomerId), cancellationToken);
        var sorted = order.Sort(events, e => e.CustomerId, e => e.FeatureCode);
        // Where round trips cost (PostgreSQL), the customers' contexts are read together and each event is one statement,
        // sent a counter's run at a time; the events still go in the lock order, one after another, as they do on SQLite.
        // (Every insert sent ahead of the counters, the batch form, deadlocked two nodes once: docs/benchmarks.md, stop 66.)
        // On the bulk writers, as LLM calls: a flood of events waits on its own writers, not in the consumes' queue.
        return await committer.RunAsync(order.Key,
            scope => scope.BatchesRows ? TrackInRunsAsync(scope, sorted) : intake.TrackAsync(scope, sorted, KeepThenCountAsync),
            cancellationToken, bulk: true, alone: order.Alone);
    }

    private static string? Refusal(TrackedEvent e, EntitlementContext context, BatchScope scope)
    {
        var grant = context.Grant(e.FeatureCode);
        if (grant?.Metric is { } metric)
        {
            return $"feature: '{e.FeatureCode}' counts metric '{metric}'; send its events with event and properties";
        }

        // An event counts in the feature's current window, so it may not be dated before that window began.
        return e.Timestamp < context.Window(grant).Start || e.Timestamp < scope.Now - MaxAge
            ? "timestamp: is before the feature's current quota window (or older than 35 days)"
            : null;
    }

    private async Task<bool> KeepThenCountAsync(TrackedEvent e, EntitlementContext context, BatchScope scope)
    {
        if (await scope.ExecuteAsync(Keep, Values(e, context, scope)) == 0)
        {
            return false;
        }

        var grant = context.Grant(e.FeatureCode);
        var after = await Counters.CountAsync(scope, context.CustomerId, e.FeatureCode, context.Window(grant), grant, e.Amount);
        // The organisation's row before the member's share, as a consume takes them, so an event and a consume never wait
        // on each other's rows.
        await MemberShares.CountAsync(scope, context, e.FeatureCode, grant, e.Amount);
        await AfterCountedAsync(scope, context, e, grant, after);
        return true;
    }

    /// <summary>
    /// Keeps and counts each accepted event with <see cref="KeepCounting"/>, in runs: consecutive events of one counter
    /// (organisation and feature: the batch has one instant, so one window) take the event's key and then the counter,
    /// in order, as each would alone. Every run's statements travel in one pipeline, in the lock order, so a request
    /// naming 500 customers costs one round trip, not 500. What follows a count (a member's share, the rollup, the
    /// alerts) runs after the pipeline, still under the organisation's row it holds: a member's share row is only ever
    /// taken after its organisation's, so taking every organisation's first adds no wait a consume could close into a cycle.
    /// The members' shares are summed and taken in one statement after it.
    /// </summary>
    private async Task<TrackResult> TrackInRunsAsync(BatchScope scope, IReadOnlyList<TrackedEvent> events)
    {
        var (accepted, rejected) = intake.Screen(scope, events, await intake.ContextsAsync(scope, events));
        var planned = new List<PlannedStatement>(accepted.Count);
        var grants = new PlanFeature?[accepted.Count];
        for (var start = 0; start < accepted.Count;)
        {
            var (first, context) = accepted[start];
            var grant = context.Grant(first.FeatureCode);
            var end = start + 1;
            while (end < accepted.Count && accepted[end].Context.CustomerId == context.CustomerId && accepted[end].Event.FeatureCode == first.FeatureCode)
            {
                end++;
            }

            var counter = await Counters.PlanCountWhenKeptAsync(scope, context.CustomerId, first.FeatureCode, context.Window(grant), grant);
            for (var i = start; i < end; i++)
            {
                planned.Add(new PlannedStatement(KeepCounting, [.. Values(accepted[i].Event, accepted[i].Context, scope), .. counter]));
                grants[i] = grant;
            }

            start = end;
        }

        var rows = await scope.PipelineAsync(planned);
        var states = rows.Select(Counters.StateOf).ToArray();
        var kept = Enumerable.Range(0, accepted.Count).Where(i => states[i] is not null).ToArray();
        // The members' shares of the whole request in one round trip, where each member's event cost one; before the
        // rollups and alerts, as each event took its share.
        await MemberShares.CountManyAsync(scope, kept.Select(i => (accepted[i].Context, accepted[i].Event.FeatureCode, grants[i], accepted[i].Event.Amount)));
        foreach (var i in kept)
        {
            await AfterCountedAsync(scope, accepted[i].Context, accepted[i].Event, grants[i], states[i]!.Value);
        }

        var duplicates = Enumerable.Range(0, accepted.Count).Where(i => states[i] is null).Select(i => accepted[i].Event).ToList();
        return new TrackResult(kept.Length, [.. duplicates.OrderBy(d => d.Index).Select(d => d.Id)], [.. rejected.OrderBy(r => r.Item1)]);
    }

    // What follows an event's count on its organisation's row and the member's share (a member's event counts for its
    // organisation): the daily rollup and the alerts.
    private async Task AfterCountedAsync(BatchScope scope, EntitlementContext context, TrackedEvent e, PlanFeature? grant, CounterState after)
    {
        scope.AddDailyUsage(context.CustomerId, e.FeatureCode, e.Timestamp, e.Amount);
        await alerts.OnUsedAsync(scope, context, e.FeatureCode, grant, after, e.Amount);
    }
}
