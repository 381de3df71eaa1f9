using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Usage;

/// <summary>Deletes what has outlived its promise: idempotency keys after 48 hours, event ids after the event age limit.</summary>
public sealed class UsageJanitor(TollgateDatabase database)
{
    public static readonly TimeSpan KeyRetention = TimeSpan.FromHours(48);

    // Events older than EventStore.MaxAge are refused anyway, so pruning their ids a day later cannot let one count twice.
    public static readonly TimeSpan EventRetention = EventStore.MaxAge + TimeSpan.FromDays(1);

    public Task PruneAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM idempotency_keys WHERE created_at < @cutoff",
                new { cutoff = (now - KeyRetention).ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM usage_events WHERE received_at < @cutoff",
                new { cutoff = (now - EventRetention).ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
        }, cancellationToken);
}
