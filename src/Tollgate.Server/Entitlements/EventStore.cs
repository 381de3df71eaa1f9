using System.Data;
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
    private static readonly Statement Keep = new("""
        INSERT INTO usage_events (customer_id, id, feature_code, amount, occurred_at, received_at, properties_json, metadata_json, member_id)
        VALUES (@customer, @id, @feature, @amount, @occurredAt, @now, @properties, @metadata, @member)
        ON CONFLICT DO NOTHING
        """, ("customer", DbType.String), ("id", DbType.String), ("feature", DbType.String), ("amount", DbType.Int64), ("occurredAt", DbType.Int64),
        ("now", DbType.Int64), ("properties", DbType.String), ("metadata", DbType.String), ("member", DbType.String));

    private static PlannedStatement Insert(TrackedEvent e, EntitlementContext context, BatchScope scope) => new(Keep,
        [context.CustomerId, e.Id, e.FeatureCode, e.Amount, e.Timestamp.ToUnixTimeMilliseconds(), scope.NowMs, e.PropertiesJson, e.MetadataJson, context.MemberId]);

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
        return await committer.RunAsync(order.Key, scope => intake.TrackAsync(scope, sorted, Insert, (e, context, s) => CountAsync(s, context, e, alerts)),
            cancellationToken, alone: order.Alone);
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

    private static async Task CountAsync(BatchScope scope, EntitlementContext context, TrackedEvent e, AlertWriter alerts)
    {
        var grant = context.Grant(e.FeatureCode);
        var window = context.Window(grant);
        var customer = context.CustomerId; // a member's event counts for its organisation
        var after = await Counters.CountAsync(scope, customer, e.FeatureCode, window, grant, e.Amount);
        // The organisation's row before the member's share, as a consume takes them, so an event and a consume never wait
        // on each other's rows.
        await MemberShares.CountAsync(scope, context, e.FeatureCode, grant, e.Amount);
        scope.AddDailyUsage(customer, e.FeatureCode, e.Timestamp, e.Amount);
        await alerts.OnUsedAsync(scope, context, e.FeatureCode, grant, after, e.Amount);
    }
}
