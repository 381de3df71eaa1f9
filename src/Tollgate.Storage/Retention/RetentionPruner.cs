using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Retention;

/// <summary>
/// What one pass deleted; Skipped when another node held the pass. IdempotencyKeys counts the consume and reserve keys
/// (idempotency_keys), IdempotentRequests the keyed POSTs' keys with their answers; SenderIds the ids of events and calls
/// kept apart from their rows on PostgreSQL (usage_event_keys, llm_call_keys), Partitions the time partitions made ahead,
/// Reservations the settled reservations, CustomerSessions the expired customer sessions.
/// </summary>
public sealed record RetentionReport(
    bool Skipped, long LlmCalls = 0, long Events = 0, long WebhookDeliveries = 0, long WebhookEvents = 0, long StripeEvents = 0, long IdempotencyKeys = 0,
    long Emails = 0, long SenderIds = 0, int Partitions = 0, long IdempotentRequests = 0, long Reservations = 0, long CustomerSessions = 0)
{
    public long Total => LlmCalls + Events + WebhookDeliveries + WebhookEvents + StripeEvents + IdempotencyKeys + IdempotentRequests + Emails + SenderIds
        + Reservations + CustomerSessions;
}

/// <summary>
/// Deletes raw rows past their retention in batches of <see cref="RetentionOptions.BatchSize"/>, each its own short
/// transaction, so no pass holds a long lock. On PostgreSQL each batch takes a transaction-level advisory lock first, so
/// one node at a time deletes, and a node that finds it taken leaves the pass to the other. A session-level lock held
/// across the pass would stay behind a pooler in transaction mode (PgBouncer): taken on one server connection and
/// released on another, it stopped every later pass. Rollups, counters and invoices are never touched. On PostgreSQL,
/// usage_events and llm_calls lose whole week partitions instead (<see cref="TimePartitions"/>), and only the rows their
/// DEFAULT partition took are deleted one by one.
/// </summary>
public sealed class RetentionPruner(TollgateDatabase database, TimePartitions partitions, IOptions<RetentionOptions> options)
{
    public const long LockKey = 0x546f6c6c_52657431; // "TollRet1"

    // How long a customer session's row outlives its expiry.
    private static readonly TimeSpan ExpiredSessionsKept = TimeSpan.FromDays(1);

    public async Task<RetentionReport> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        await using var c = await database.OpenAsync(cancellationToken);
        var pass = new Pass();
        long Cutoff(TimeSpan age) => (now - age).ToUnixTimeMilliseconds();
        var made = await EnsurePartitionsAsync(c, pass, now, cancellationToken);
        var llmCutoff = Cutoff(TimeSpan.FromDays(o.LlmCallsDays));
        var eventsCutoff = Cutoff(TimeSpan.FromDays(o.EventsDays));
        // Event ids by their own time; call ids go with their week (PartitionsAsync).
        var eventIds = partitions.Applies
            ? await BatchesAsync(c, pass, TimePartitions.KeysBatch(TimePartitions.UsageEvents), eventsCutoff, cancellationToken)
            : 0;
        var (llmCalls, llmIds) = partitions.Applies ? await PartitionsAsync(c, pass, TimePartitions.LlmCalls, llmCutoff, cancellationToken) : (0, 0);
        var report = new RetentionReport(
            Skipped: false,
            LlmCalls: partitions.Applies
                ? llmCalls
                : await BatchesAsync(c, pass, """
                    DELETE FROM llm_calls WHERE (customer_id, request_id) IN
                        (SELECT customer_id, request_id FROM llm_calls WHERE occurred_at < @cutoff ORDER BY occurred_at LIMIT @batch)
                    """, llmCutoff, cancellationToken),
            Events: (partitions.Applies
                ? (await PartitionsAsync(c, pass, TimePartitions.UsageEvents, eventsCutoff, cancellationToken)).Rows
                : await BatchesAsync(c, pass, """
                    DELETE FROM usage_events WHERE (customer_id, id) IN
                        (SELECT customer_id, id FROM usage_events WHERE received_at < @cutoff ORDER BY received_at LIMIT @batch)
                    """, eventsCutoff, cancellationToken))
                // Events with properties are kept as long: their ids de-duplicate, and their rollups stay when they go.
                + await BatchesAsync(c, pass, """
                DELETE FROM metric_events WHERE (customer_id, id) IN
                    (SELECT customer_id, id FROM metric_events WHERE received_at < @cutoff ORDER BY received_at LIMIT @batch)
                """, eventsCutoff, cancellationToken),
            WebhookDeliveries: await FinishedBatchesAsync(c, pass, WebhookDeliveries, Cutoff(TimeSpan.FromDays(o.WebhookDeliveriesDays)), cancellationToken),
            WebhookEvents: await BatchesAsync(c, pass, """
                DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e WHERE e.created_at < @cutoff
                    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id) ORDER BY e.created_at LIMIT @batch)
                """, Cutoff(TimeSpan.FromDays(o.WebhookDeliveriesDays)), cancellationToken),
            StripeEvents: await BatchesAsync(c, pass, """
                DELETE FROM stripe_events WHERE id IN (SELECT id FROM stripe_events WHERE received_at < @cutoff ORDER BY received_at LIMIT @batch)
                """, Cutoff(TimeSpan.FromDays(o.StripeEventsDays)), cancellationToken),
            IdempotencyKeys: await BatchesAsync(c, pass, """
                DELETE FROM idempotency_keys WHERE (scope, key) IN
                    (SELECT scope, key FROM idempotency_keys WHERE created_at < @cutoff ORDER BY created_at LIMIT @batch)
                """, Cutoff(TimeSpan.FromHours(o.IdempotencyKeysHours)), cancellationToken),
            // The keyed POSTs' keys share the consume keys' window: one promise, a retry within it gets the first answer. A
            // claim still running is minutes old, never past it; one that was would find its row gone, and its writes refused.
            IdempotentRequests: await BatchesAsync(c, pass, """
                DELETE FROM idempotent_requests WHERE (scope, idempotency_key) IN
                    (SELECT scope, idempotency_key FROM idempotent_requests WHERE created_at < @cutoff ORDER BY created_at LIMIT @batch)
                """, Cutoff(TimeSpan.FromHours(o.IdempotencyKeysHours)), cancellationToken),
            Emails: await FinishedBatchesAsync(c, pass, EmailMessages, Cutoff(TimeSpan.FromDays(o.EmailsDays)), cancellationToken),
            SenderIds: eventIds + llmIds,
            Partitions: made,
            // A settled reservation (one a gated LLM call makes per call) answers its settlement's retries and GET; it is
            // kept as long as the usage event a commit wrote under its id. Its grant holds went when it settled.
            Reservations: await BatchesAsync(c, pass, """
                DELETE FROM reservations WHERE id IN
                    (SELECT id FROM reservations WHERE status <> 'held' AND settled_at < @cutoff ORDER BY settled_at LIMIT @batch)
                """, eventsCutoff, cancellationToken),
            // A customer session lives at most 24 hours and, once expired, only answers 401, as an unknown token does; a
            // day's grace keeps the rows of the sessions a support question may be about.
            CustomerSessions: await BatchesAsync(c, pass, """
                DELETE FROM customer_sessions WHERE id IN
                    (SELECT id FROM customer_sessions WHERE expires_at < @cutoff ORDER BY expires_at LIMIT @batch)
                """, Cutoff(ExpiredSessionsKept), cancellationToken));
        return report with { Skipped = pass.Contended && report.Total == 0 };
    }

    /// <summary>
    /// Makes the time partitions ahead of <paramref name="now"/> (PostgreSQL only), waiting for the retention lock if
    /// another node holds it; run at start, before the server takes traffic. Answers how many it made.
    /// </summary>
    public async Task<int> EnsurePartitionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!partitions.Applies)
        {
            return 0;
        }

        await using var c = await database.OpenAsync(cancellationToken);
        await using var tx = await database.BeginWriteAsync(c, cancellationToken);
        await database.LockAsync(c, tx, LockKey, cancellationToken);
        var made = await partitions.EnsureAsync(c, tx, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return made;
    }

    private async Task<int> EnsurePartitionsAsync(DbConnection c, Pass pass, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!partitions.Applies)
        {
            return 0;
        }

        await using var tx = await BeginBatchAsync(c, pass, cancellationToken);
        if (tx is null)
        {
            return 0;
        }

        var made = await partitions.EnsureAsync(c, tx, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return made;
    }

    /// <summary>
    /// Drops the table's partitions wholly past the cutoff, one per transaction, then deletes the DEFAULT partition's rows
    /// past it in batches; rows in the partition the cutoff falls in wait for that whole partition to age. Answers the rows
    /// and, for a table whose ids go with their rows, the ids deleted with them.
    /// </summary>
    private async Task<(long Rows, long Ids)> PartitionsAsync(DbConnection c, Pass pass, TimePartitions.Table table, long cutoff,
        CancellationToken cancellationToken)
    {
        long rows = 0, ids = 0;
        foreach (var partition in await partitions.ExpiredAsync(c, table, cutoff, cancellationToken))
        {
            await using var tx = await BeginBatchAsync(c, pass, cancellationToken);
            if (tx is null || await partitions.DropAsync(c, tx, table, partition, cancellationToken) is not { } dropped)
            {
                break; // another node's pass, or inserts held the table: the next pass drops it
            }

            await tx.CommitAsync(cancellationToken);
            rows += dropped.Rows;
            ids += dropped.Ids;
        }

        // With ids that go with their rows, the batch deletes a row's id with it and counts the ids (one per row).
        var strays = await BatchesAsync(c, pass, TimePartitions.DefaultRowsBatch(table), cutoff, cancellationToken);
        return (rows + strays, ids + (table.IdColumn is null ? 0 : strays));
    }

    /// <summary>Whether another node held the lock when this pass wanted it; the pass then leaves the rest to that node.</summary>
    private sealed class Pass
    {
        public bool Contended { get; set; }
    }

    /// <summary>Begins a batch's transaction under the retention lock; null (and the pass marked contended) when another node holds it.</summary>
    private async Task<DbTransaction?> BeginBatchAsync(DbConnection c, Pass pass, CancellationToken cancellationToken)
    {
        if (pass.Contended)
        {
            return null;
        }

        var tx = await database.BeginWriteAsync(c, cancellationToken);
        if (await c.ExecuteScalarAsync<bool>(new CommandDefinition(database.Dialect.TryLockTransaction, new { key = LockKey }, tx,
            cancellationToken: cancellationToken)))
        {
            return tx;
        }

        pass.Contended = true;
        await tx.DisposeAsync();
        return null;
    }

    private async Task<long> BatchesAsync(DbConnection c, Pass pass, string sql, long cutoff, CancellationToken cancellationToken)
    {
        var batch = options.Value.BatchSize;
        long total = 0;
        int deleted;
        do
        {
            await using var tx = await BeginBatchAsync(c, pass, cancellationToken);
            if (tx is null)
            {
                break;
            }

            deleted = await c.ExecuteAsync(new CommandDefinition(sql, new { cutoff, batch = (long)batch }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
            total += deleted;
        }
        while (deleted >= batch);
        return total;
    }

    private static readonly Outbox WebhookDeliveries = new(
        "SELECT id FROM webhook_deliveries WHERE created_at < @cutoff AND status <> 'pending' ORDER BY created_at LIMIT @batch",
        "webhook_attempts", "delivery_id", "webhook_deliveries");

    // Counted from the last attempt, so a message replayed and sent late is kept as long as one sent on time.
    private static readonly Outbox EmailMessages = new(
        "SELECT id FROM email_messages WHERE COALESCE(last_attempt_at, created_at) < @cutoff AND status <> 'pending' ORDER BY created_at LIMIT @batch",
        "email_attempts", "message_id", "email_messages");

    // A pending outbox row is never pruned, whatever its age: it still has a promise to keep.
    private async Task<long> FinishedBatchesAsync(DbConnection c, Pass pass, Outbox outbox, long cutoff, CancellationToken cancellationToken)
    {
        var batch = options.Value.BatchSize;
        long total = 0;
        List<string> ids;
        do
        {
            await using var tx = await BeginBatchAsync(c, pass, cancellationToken);
            if (tx is null)
            {
                break;
            }

            ids = [.. await c.QueryAsync<string>(new CommandDefinition(outbox.Finished, new { cutoff, batch = (long)batch }, tx,
                cancellationToken: cancellationToken))];
            if (ids.Count > 0)
            {
                // InList: Npgsql takes the list as one array parameter, where "IN @ids" is a syntax error.
                await c.ExecuteAsync(new CommandDefinition($"DELETE FROM {outbox.Attempts} WHERE {database.Dialect.InList(outbox.AttemptsKey, "@ids")}",
                    new { ids }, tx, cancellationToken: cancellationToken));
                await c.ExecuteAsync(new CommandDefinition($"DELETE FROM {outbox.Table} WHERE {database.Dialect.InList("id", "@ids")}",
                    new { ids }, tx, cancellationToken: cancellationToken));
            }

            await tx.CommitAsync(cancellationToken);
            total += ids.Count;
        }
        while (ids.Count >= batch);
        return total;
    }

    /// <summary>An outbox table's finished rows older than @cutoff (a batch of ids), its attempts table and the key naming the row.</summary>
    private sealed record Outbox(string Finished, string Attempts, string AttemptsKey, string Table);
}
