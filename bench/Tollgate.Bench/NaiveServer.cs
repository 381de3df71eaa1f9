using Dapper;
using Microsoft.Data.Sqlite;

namespace Tollgate.Bench;

/// <summary>
/// (d) How the products in the seeds did it: in one transaction, sum the period's usage rows for the customer and
/// feature, then insert a row if the sum allows it. Its cost grows with the history the sum has to scan.
/// </summary>
public static class NaiveServer
{
    public static async Task RunAsync(int port, string path, int customers, long historyRows)
    {
        SQLitePCL.Batteries_V2.Init();
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        var today = TimeProvider.System.GetUtcNow();
        var periodStart = new DateTimeOffset(today.Year, today.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        await SeedAsync(connectionString, customers, historyRows, periodStart);
        var writer = new SemaphoreSlim(1, 1);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/entitlements/consume", async (ConsumeBody body) =>
        {
            // SQLite has one writer; the seeds' code ran one request's transaction at a time too.
            await writer.WaitAsync();
            try
            {
                await using var connection = new SqliteConnection(connectionString);
                await connection.OpenAsync();
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
                var used = await connection.ExecuteScalarAsync<long>(
                    "SELECT COALESCE(SUM(amount), 0) FROM usage_events WHERE customer = @customer AND feature = @feature AND created_at >= @periodStart",
                    new { customer = body.Customer, feature = body.Feature, periodStart }, tx);
                var allowed = used + body.Amount <= 1_000_000_000_000;
                if (allowed)
                {
                    await connection.ExecuteAsync("INSERT INTO usage_events (customer, feature, amount, created_at) VALUES (@customer, @feature, @amount, @now)",
                        new { customer = body.Customer, feature = body.Feature, amount = body.Amount, now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() }, tx);
                }

                await tx.CommitAsync();
                return Results.Json(new { allowed, used = used + body.Amount });
            }
            finally
            {
                writer.Release();
            }
        });
        app.MapGet("/healthz", () => "ok");
        await app.RunAsync();
    }

    private static async Task SeedAsync(string connectionString, int customers, long historyRows, long periodStart)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync("""
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS usage_events (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, feature TEXT NOT NULL,
                amount INTEGER NOT NULL, created_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS usage_events_lookup ON usage_events (customer, feature, created_at);
            """);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO usage_events (customer, feature, amount, created_at) VALUES ($c, 'api_calls', 1, $t)";
        var c = insert.Parameters.Add("$c", SqliteType.Text);
        var t = insert.Parameters.Add("$t", SqliteType.Integer);
        for (long i = 0; i < historyRows; i++)
        {
            c.Value = $"bench-{i % customers}";
            t.Value = periodStart + (i % 86_400_000);
            await insert.ExecuteNonQueryAsync();
        }

        await tx.CommitAsync();
    }

    private sealed record ConsumeBody(string Customer, string Feature, long Amount = 1);
}
