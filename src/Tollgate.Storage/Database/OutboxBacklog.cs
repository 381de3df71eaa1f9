using Dapper;

namespace Tollgate.Storage.Database;

/// <summary>What waits in an outbox: its pending rows and when the oldest of them was written.</summary>
public sealed record OutboxBacklog(long Pending, DateTimeOffset? OldestCreatedAt)
{
    /// <summary>
    /// Counts the pending rows of an outbox table whose <c>status</c> and <c>created_at</c> (unix milliseconds) follow the
    /// outboxes' shape; the partial index on pending rows each of them has answers it without reading the table.
    /// </summary>
    public static Task<OutboxBacklog> ReadAsync(TollgateDatabase database, string table, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            var (pending, oldest) = await c.QuerySingleAsync<(long, long?)>(new CommandDefinition(
                $"SELECT COUNT(*), MIN(created_at) FROM {table} WHERE status = 'pending'", cancellationToken: cancellationToken));
            return new OutboxBacklog(pending, oldest is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
        }, cancellationToken);
}
