using System.Collections.Concurrent;
using System.Data;
using Tollgate.Core.Customers;
using Tollgate.Core.Entitlements;
using Microsoft.Extensions.Options;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Customers;

/// <summary>
/// Resolves a customer's plan version and usage period for a decision. On SQLite every write passes through this one
/// process, so the customer and their live subscription are remembered until a write here invalidates them; on
/// PostgreSQL other nodes write too, so they are read inside the decision's own transaction every time.
/// </summary>
public sealed class EntitlementContextCache(TollgateDatabase database, CatalogCache catalog, IOptions<EntitlementOptions> options)
{
    private const int MaxEntries = 200_000;
    private readonly bool _enabled = !database.Dialect.SharedByNodes;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _members = new(StringComparer.Ordinal);
    private long _generation;

    // A member id resolves to its organisation in the same statement, so naming a member costs no extra round trip.
    private static readonly Statement ContextRead = new($"""
        SELECT c.id, {string.Join(", ", SubscriptionRow.Columns.Split(',').Select(column => "s." + column.Trim()))}
        FROM customers c
        LEFT JOIN subscriptions s ON s.customer_id = c.id AND s.status IN ('trialing', 'active', 'past_due', 'incomplete')
        WHERE c.id = COALESCE((SELECT m.customer_id FROM members m WHERE m.id = @customer), @customer) AND c.deleted_at IS NULL
        """, ("customer", DbType.String));

    /// <summary>The context at the batch's instant, read inside its transaction; null when the customer does not exist.</summary>
    public ValueTask<EntitlementContext?> LoadAsync(BatchScope scope, string customerId) => LoadAsync(scope, customerId, scope.Now);

    /// <summary>
    /// The context at <paramref name="now"/>, read on a reader connection (when not remembered) before a write is queued,
    /// so the single writer's transaction holds nothing but writes; null when the customer does not exist.
    /// </summary>
    public ValueTask<EntitlementContext?> LoadAsync(string customerId, DateTimeOffset now, CancellationToken cancellationToken) =>
        LoadAsync(customerId, now, () => database.ReadPreparedAsync(scope => scope.RowAsync(ContextRead, ReadEntry, customerId), cancellationToken),
            cancellationToken);

    /// <summary>The context at <paramref name="now"/>; null when the customer does not exist.</summary>
    public ValueTask<EntitlementContext?> LoadAsync(SqlScope scope, string customerId, DateTimeOffset now) =>
        LoadAsync(customerId, now, () => scope.RowAsync(ContextRead, ReadEntry, customerId), scope.CancellationToken);

    private async ValueTask<EntitlementContext?> LoadAsync(string customerId, DateTimeOffset now, Func<Task<Entry?>> read, CancellationToken cancellationToken)
    {
        if (!_enabled || !_entries.TryGetValue(customerId, out var entry))
        {
            var generation = Interlocked.Read(ref _generation);
            entry = await read() ?? Missing;
            // Stored only if no write invalidated anything while we read, so a stale read is never kept.
            if (_enabled && Interlocked.Read(ref _generation) == generation)
            {
                if (_entries.Count >= MaxEntries)
                {
                    _entries.Clear();
                    _members.Clear();
                }

                _entries[customerId] = entry;
                if (entry.CustomerId is { } owner && owner != customerId)
                {
                    _members[customerId] = owner;
                }
            }
        }

        if (!entry.Exists)
        {
            return null;
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        var subscribed = entry.Subscription is { } s ? await catalog.GetVersionAsync(s.PlanVersionId, cancellationToken) : null;
        var fallback = snapshot.DefaultPlan is { } code ? snapshot.Plan(code)?.Current : null;
        var organisation = entry.CustomerId ?? customerId;
        return EntitlementContext.Resolve(organisation, entry.Subscription, subscribed, fallback, now, options.Value.Grace) with
        {
            MemberId = organisation == customerId ? null : customerId,
        };
    }

    // One row: the customer (the organisation, for a member id) always, the live subscription's columns when there is one.
    private static Entry? ReadEntry(IRow r) =>
        new(true, r.IsDBNull(1) ? null : SubscriptionRow.FromReader(r, 1).ToDomain(), r.GetString(0));

    /// <summary>Call after any write to the customer or their subscriptions has committed.</summary>
    public void Invalidate(string customerId)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(customerId, out _);
        // Entries remembered under a member's id hold the organisation's subscription too.
        foreach (var (member, organisation) in _members)
        {
            if (organisation == customerId || member == customerId)
            {
                _entries.TryRemove(member, out _);
                _members.TryRemove(member, out _);
            }
        }
    }

    public void InvalidateAll()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
        _members.Clear();
    }

    private static readonly Entry Missing = new(false, null);

    private sealed record Entry(bool Exists, Subscription? Subscription, string? CustomerId = null);
}
