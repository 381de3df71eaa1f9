using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Storage.Retention;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Retention;

/// <summary>Finished e-mail messages and their attempts are pruned after Tollgate:Retention:EmailsDays; pending ones never are.</summary>
public abstract class EmailRetentionContract : ApiContract
{
    private static Task AddMessageAsync(TollgateApp app, string id, string status, DateTimeOffset created, DateTimeOffset? lastAttempt) =>
        app.Get<TollgateDatabase>().WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("""
                INSERT INTO email_messages (id, idempotency_key, kind, event_type, customer_id, recipient, object_id, payload_json, status, attempts,
                    queued_at, last_attempt_at, created_at)
                VALUES (@id, @id, 'invoice', 'invoice.issued', 'c1', 'c1@example.com', 'inv_1', '{}', @status, @attempts, @created, @lastAttempt, @created)
                """, new { id, status, attempts = lastAttempt is null ? 0 : 1, created = created.ToUnixTimeMilliseconds(), lastAttempt = lastAttempt?.ToUnixTimeMilliseconds() }, tx);
            if (lastAttempt is { } at)
            {
                await c.ExecuteAsync("INSERT INTO email_attempts (message_id, attempt, at, smtp_status, error, duration_ms) VALUES (@id, 1, @at, 250, NULL, 3)",
                    new { id, at = at.ToUnixTimeMilliseconds() }, tx);
            }
        });

    private static Task<List<string>> IdsAsync(TollgateApp app, string sql) =>
        app.Get<TollgateDatabase>().ReadAsync(async c => (await c.QueryAsync<string>(sql)).ToList());

    [Fact]
    public async Task FinishedEmailsOlderThanTheirRetentionArePrunedInBatchesWithTheirAttempts()
    {
        var settings = ApiSetup.LlmCatalog();
        settings["Tollgate:Retention:EmailsDays"] = "30";
        settings["Tollgate:Retention:BatchSize"] = "2";
        settings["Tollgate:Retention:Interval"] = "3650.00:00:00"; // the test prunes by hand
        await using var app = await StartAsync(settings);
        var now = app.Clock.GetUtcNow();
        var old = now.AddDays(-60);
        await AddMessageAsync(app, "em_sent", "sent", old, old);
        await AddMessageAsync(app, "em_dead", "dead", old, old);
        await AddMessageAsync(app, "em_skipped", "skipped", old, null);
        await AddMessageAsync(app, "em_pending", "pending", old, old);
        await AddMessageAsync(app, "em_replayed", "sent", old, now.AddDays(-10));
        await AddMessageAsync(app, "em_recent", "sent", now, now);

        var report = await app.Get<RetentionPruner>().PruneAsync(app.Clock.GetUtcNow());

        Assert.Equal(3L, report.Emails);
        Assert.Equal(["em_pending", "em_recent", "em_replayed"], await IdsAsync(app, "SELECT id FROM email_messages ORDER BY id"));
        Assert.Equal(["em_pending", "em_recent", "em_replayed"], await IdsAsync(app, "SELECT message_id FROM email_attempts ORDER BY message_id"));
    }

    [Fact]
    public async Task AnEmailRetentionOutOfRangeStopsTheServerNamingIt()
    {
        var settings = ApiSetup.LlmCatalog();
        settings["Tollgate:Retention:EmailsDays"] = "0";

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(settings));

        Assert.Contains("Tollgate:Retention:EmailsDays must be at least 1", failure.ToString(), StringComparison.Ordinal);
    }
}

public sealed class SqliteEmailRetentionTests : EmailRetentionContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresEmailRetentionTests : EmailRetentionContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
