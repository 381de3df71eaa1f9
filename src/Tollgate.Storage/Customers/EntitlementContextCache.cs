using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Tollgate.Core.Customers;
using Tollgate.Core.Entitlements;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Customers;

/// <summary>
/// Resolves a customer's plan version and usage period for a decision. On SQLite every write passes through this one
/// process, so the customer and their live subscription are remembered until a write here invalidates them; on
/// PostgreSQL other nodes write too, so they are read inside the decision's own transaction every time.
/// </summary>
public sealed class EntitlementContextCache(TollgateDatabase database, CatalogCache catalog)
{
    private const int MaxEntries = 200_000;
    private readonly bool _enabled = !database.Dialect.IsPostgres;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>The context at <paramref name="now"/>, or null when the customer does not exist.</summary>
    public async ValueTask<EntitlementContext?> LoadAsync(
        DbConnection connection, DbTransaction? transaction, string customerId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!_enabled || !_entries.TryGetValue(customerId, out var entry))
        {
            var generation = Interlocked.Read(ref _generation);
            entry = await ReadAsync(connection, transaction, customerId, cancellationToken);
            // Stored only if no write invalidated anything while we read, so a stale read is never kept.
            if (_enabled && Interlocked.Read(ref _generation) == generation)
            {
                if (_entries.Count >= MaxEntries)
                {
                    _entries.Clear();
                }

                _entries[customerId] = entry;
            }
        }

        if (!entry.Exists)
        {
            return null;
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        var subscribed = entry.Subscription is { } s ? await catalog.GetVersionAsync(s.PlanVersionId, cancellationToken) : null;
        var fallback = snapshot.DefaultPlan is { } code ? snapshot.Plan(code)?.Current : null;
        return EntitlementContext.Resolve(customerId, entry.Subscription, subscribed, fallback, now);
    }

    /// <summary>Call after any write to the customer or their subscriptions has committed.</summary>
    public void Invalidate(string customerId)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(customerId, out _);
    }

    public void InvalidateAll()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private static async Task<Entry> ReadAsync(DbConnection c, DbTransaction? tx, string customerId, CancellationToken ct)
    {
        // One round trip: the customer row always, the live subscription when there is one (its id is empty otherwise).
        var row = await c.QuerySingleOrDefaultAsync<SubscriptionRow>(new CommandDefinition("""
            SELECT c.id AS customer_id, s.id, s.plan_code, s.plan_version_id, s.billing_period, s.status, s.anchor_at,
                s.current_period_start, s.current_period_end, s.trial_end_at, s.cancel_at_period_end, s.canceled_at, s.created_at, s.updated_at
            FROM customers c
            LEFT JOIN subscriptions s ON s.customer_id = c.id AND s.status IN ('trialing', 'active', 'past_due', 'incomplete')
            WHERE c.id = @customerId
            """, new { customerId }, tx, cancellationToken: ct));
        return row is null ? new Entry(false, null) : new Entry(true, string.IsNullOrEmpty(row.Id) ? null : row.ToDomain());
    }

    private sealed record Entry(bool Exists, Subscription? Subscription);
}
