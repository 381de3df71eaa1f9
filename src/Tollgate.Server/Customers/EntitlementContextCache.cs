using System.Collections.Concurrent;
using System.Data;
using Tollgate.Core.Customers;
using Tollgate.Core.Entitlements;
using Microsoft.Extensions.Options;
using Tollgate.Server.Catalog;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Customers;

/// <summary>
/// Resolves a customer's plan version and usage period for a decision, and remembers the customer and their live
/// subscription until a write on this node forgets them. On SQLite every write passes through this one process, so what
/// it remembers is always current. On PostgreSQL other nodes write too: what is remembered is used only against the
/// customer's context_version, which moves on any write to the context. The hot path's planned write names it
/// (<see cref="LoadRememberedAsync"/>), a batch reads it first (<see cref="LoadManyAsync"/>), and every other read goes
/// to the database.
/// </summary>
public sealed class EntitlementContextCache(TollgateDatabase database, CatalogCache catalog, IOptions<EntitlementOptions> options)
{
    private const int MaxEntries = 200_000;
    private readonly bool _shared = database.Dialect.SharedByNodes;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _members = new(StringComparer.Ordinal);
    private long _generation;

    // A member id resolves to its organisation in the same statement, so naming a member costs no extra round trip.
    private static readonly Statement ContextRead = new($"""
        SELECT c.id, c.context_version, {string.Join(", ", SubscriptionRow.Columns.Split(',').Select(column => "s." + column.Trim()))}
        FROM customers c
        LEFT JOIN subscriptions s ON s.customer_id = c.id AND s.status IN ('trialing', 'active', 'past_due', 'incomplete')
        WHERE c.id = COALESCE((SELECT m.customer_id FROM members m WHERE m.id = @customer), @customer) AND c.deleted_at IS NULL
        """, ("customer", DbType.String));

    // The same read for many ids in one statement (PostgreSQL, where a batch's reads must travel together): one execution
    // over an array costs a fraction of one execution per customer, which is what a 500-call LLM batch paid (10 µs each).
    // The asked id comes last, so the row reads as ContextRead's does.
    // Each asked id as its customer: a member's id names its organisation's.
    private const string AskedCustomers = """
        FROM unnest(@customers::text[]) AS q(asked)
        JOIN customers c ON c.id = COALESCE((SELECT m.customer_id FROM members m WHERE m.id = q.asked), q.asked) AND c.deleted_at IS NULL
        """;

    private static readonly string ContextReadMany = $"""
        SELECT c.id, c.context_version, {string.Join(", ", SubscriptionRow.Columns.Split(',').Select(column => "s." + column.Trim()))}, q.asked
        {AskedCustomers}
        LEFT JOIN subscriptions s ON s.customer_id = c.id AND s.status IN ('trialing', 'active', 'past_due', 'incomplete')
        """;

    /// <summary>The context at the batch's instant, read inside its transaction; null when the customer does not exist.</summary>
    public async ValueTask<EntitlementContext?> LoadAsync(BatchScope scope, string customerId, CatalogSnapshot? snapshot = null) =>
        (await LoadAsync(customerId, scope.Now, () => scope.RowAsync(ContextRead, ReadEntry, customerId), remembered: !_shared, snapshot,
            scope.CancellationToken))?.Context;

    /// <summary>
    /// The contexts of <paramref name="customerIds"/> at the batch's instant, read inside its transaction. Where other nodes
    /// write, the reads travel together (the versions, then the changed customers' rows), so a batch of many customers'
    /// calls waits once or twice, not once per call.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, EntitlementContext?>> LoadManyAsync(BatchScope scope, IReadOnlyList<string> customerIds)
    {
        var (known, rows) = _shared ? await ReadManyAsync(scope, customerIds) : (null, null);
        var contexts = new Dictionary<string, EntitlementContext?>(customerIds.Count, StringComparer.Ordinal);
        var snapshot = await catalog.GetAsync(scope.CancellationToken); // one catalog for the whole batch
        foreach (var id in customerIds)
        {
            if (rows is null)
            {
                contexts[id] = await LoadAsync(scope, id, snapshot);
                continue;
            }

            var entry = known?.GetValueOrDefault(id) ?? (rows.GetValueOrDefault(id) is { } row ? ReadEntry(new ValuesRow(row)) : null);
            var read = await LoadAsync(id, scope.Now, () => Task.FromResult(entry), remembered: false, snapshot, scope.CancellationToken);
            contexts[id] = read?.Context;
        }

        return contexts;
    }

    // One id (a one-call request) keeps the one-customer read, planned for its index; more take the array.
    private const int ManyFrom = 2;

    // Where many ids are asked on PostgreSQL, their context_versions come first, in one round trip: an id remembered at
    // its version (and for the same organisation) is current, as the hot path's planned write trusts, and only the others'
    // rows are read, in a second one. The rows held a 500-call batch's customers' subscriptions, 35 columns each, read and
    // parsed on every batch.
    private const string VersionsMany = $"""
        SELECT c.id, c.context_version, q.asked
        {AskedCustomers}
        """;

    // Each asked id's remembered entry where it is current, and the rows of the others (the first, as RowAsync keeps the
    // first of ContextRead's); an id in neither does not exist.
    private async Task<(Dictionary<string, Entry>? Known, Dictionary<string, object?[]> Rows)> ReadManyAsync(BatchScope scope, IReadOnlyList<string> customerIds)
    {
        var rows = new Dictionary<string, object?[]>(customerIds.Count, StringComparer.Ordinal);
        if (!scope.BatchesRows || customerIds.Count < ManyFrom)
        {
            var read = await scope.PipelineAsync([.. customerIds.Select(id => new PlannedStatement(ContextRead, [id]))]);
            for (var i = 0; i < customerIds.Count; i++)
            {
                if (read[i] is { } row)
                {
                    rows[customerIds[i]] = row;
                }
            }

            return (null, rows);
        }

        // A batch whose customers none is remembered (a node just started) reads their rows at once.
        var known = new Dictionary<string, Entry>(customerIds.Count, StringComparer.Ordinal);
        var stale = customerIds.Any(_entries.ContainsKey) ? [] : customerIds.ToList();
        if (stale.Count == 0)
        {
            // One row per asked id that exists: the customers' ids are unique, and a member names one organisation.
            foreach (var row in await scope.RowsAsync(VersionsMany, ("customers", customerIds.ToArray())))
            {
                var (id, version, asked) = ((string)row[0]!, (long)row[1]!, (string)row[2]!);
                if (_entries.TryGetValue(asked, out var entry) && entry is { Exists: true } && entry.Version == version && entry.CustomerId == id)
                {
                    known[asked] = entry;
                }
                else
                {
                    stale.Add(asked);
                }
            }
        }

        if (stale.Count > 0)
        {
            foreach (var row in await scope.RowsAsync(ContextReadMany, ("customers", stale.ToArray())))
            {
                rows.TryAdd((string)row[^1]!, row);
            }
        }

        return (known, rows);
    }

    /// <summary>
    /// The context at <paramref name="now"/>, read on a reader connection (on SQLite, when not remembered) before a write
    /// is queued, so the single writer's transaction holds nothing but writes; null when the customer does not exist.
    /// </summary>
    public async ValueTask<EntitlementContext?> LoadAsync(string customerId, DateTimeOffset now, CancellationToken cancellationToken,
        CatalogSnapshot? snapshot = null) =>
        (await LoadAsync(customerId, now, () => ReadAsync(customerId, cancellationToken), remembered: !_shared, snapshot, cancellationToken))?.Context;

    /// <summary>The context at <paramref name="now"/>; null when the customer does not exist.</summary>
    public async ValueTask<EntitlementContext?> LoadAsync(SqlScope scope, string customerId, DateTimeOffset now, CatalogSnapshot? snapshot = null) =>
        (await LoadAsync(customerId, now, () => scope.RowAsync(ContextRead, ReadEntry, customerId), remembered: !_shared, snapshot,
            scope.CancellationToken))?.Context;

    /// <summary>
    /// The context as remembered, read when it is not, with the context_version it was read at: on a database other nodes
    /// write, a write planned with it must check that version in its own transaction. Null when the customer does not exist.
    /// The plan is resolved against <paramref name="snapshot"/>, the catalog the request read once.
    /// </summary>
    public ValueTask<VersionedContext?> LoadRememberedAsync(string customerId, DateTimeOffset now, CatalogSnapshot snapshot,
        CancellationToken cancellationToken) =>
        LoadAsync(customerId, now, () => ReadAsync(customerId, cancellationToken), remembered: true, snapshot, cancellationToken);

    private Task<Entry?> ReadAsync(string customerId, CancellationToken cancellationToken) =>
        database.ReadPreparedAsync(scope => scope.RowAsync(ContextRead, ReadEntry, customerId), cancellationToken);

    private async ValueTask<VersionedContext?> LoadAsync(
        string customerId, DateTimeOffset now, Func<Task<Entry?>> read, bool remembered, CatalogSnapshot? snapshot, CancellationToken cancellationToken)
    {
        var found = true;
        if (!remembered || !_entries.TryGetValue(customerId, out var entry))
        {
            found = false;
            var generation = Interlocked.Read(ref _generation);
            entry = await read() ?? Missing;
            // Stored only if no write here invalidated anything while we read, so a stale read is never kept; an absent
            // customer is not remembered where another node may create it.
            if ((entry.Exists || !_shared) && Interlocked.Read(ref _generation) == generation)
            {
                Remember(customerId, entry);
            }
        }

        if (!entry.Exists)
        {
            return null;
        }

        snapshot ??= await catalog.GetAsync(cancellationToken);
        var subscribed = entry.Subscription is { } s ? await catalog.GetVersionAsync(s.PlanVersionId, cancellationToken) : null;
        var fallback = snapshot.DefaultPlan is { } code ? snapshot.Plan(code)?.Current : null;
        var organisation = entry.CustomerId ?? customerId;
        var context = EntitlementContext.Resolve(organisation, entry.Subscription, subscribed, fallback, now, options.Value.Grace,
            snapshot.OnSuspension) with
        {
            MemberId = organisation == customerId ? null : customerId,
        };
        return new VersionedContext(context, entry.Version, found);
    }

    private void Remember(string customerId, Entry entry)
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

    // One row: the customer (the organisation, for a member id) always, the live subscription's columns when there is one.
    private static Entry? ReadEntry(IRow r) =>
        new(true, r.IsDBNull(2) ? null : SubscriptionRow.FromReader(r, 2).ToDomain(), r.GetString(0), r.GetInt64(1));

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

    private static readonly Entry Missing = new(false, null);

    private sealed record Entry(bool Exists, Subscription? Subscription, string? CustomerId = null, long Version = 0);
}

/// <summary>A customer's entitlement context, the customers.context_version it was read at, and whether it came from memory.</summary>
public sealed record VersionedContext(EntitlementContext Context, long Version, bool Remembered);
