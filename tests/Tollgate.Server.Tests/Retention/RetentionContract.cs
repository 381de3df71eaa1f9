using System.Net;
using Dapper;
using Npgsql;
using Tollgate.Storage.Database;
using Tollgate.Storage.Retention;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Retention;

/// <summary>Pruning raw rows leaves every report as it was: reports read rollups, counters and invoices, which are never pruned.</summary>
public abstract class RetentionContract : ApiContract
{
    private Task<TollgateApp> StartWithRetentionAsync(string batchSize = "5000")
    {
        var settings = ApiSetup.LlmCatalog();
        settings["Tollgate:Retention:LlmCallsDays"] = "40";
        settings["Tollgate:Retention:EventsDays"] = "40";
        settings["Tollgate:Retention:BatchSize"] = batchSize;
        settings["Tollgate:Retention:Interval"] = "3650.00:00:00"; // the test prunes by hand, between its two readings
        return StartAsync(settings);
    }

    private static async Task RecordHistoryAsync(TollgateApp app, int calls)
    {
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");
        await app.ConsumeAsync("c1", "export", 2, key: "k1");
        await app.Admin.PostJsonAsync("/v1/events", new { events = new[] { new { id = "e1", customer = "c1", feature = "export", amount = 3 } } });
        for (var i = 0; i < calls; i++)
        {
            await app.Admin.PostJsonAsync("/v1/llm/usage", new
            {
                customer = "c1", feature = "chat", model = "gpt-4o-mini", input_tokens = 1000 + i, output_tokens = 500, request_id = $"r{i}",
            });
        }
    }

    private static async Task<string> ReportsAsync(TollgateApp app)
    {
        string[] urls =
        [
            "/v1/admin/stats/revenue-vs-cost?days=90", "/v1/admin/stats/user-costs/c1?days=90", "/v1/admin/stats/features?days=90",
            "/v1/admin/stats/plans?days=90", "/v1/admin/stats/top-spenders?days=90", "/v1/admin/stats/saas",
            "/v1/customers/c1/invoices", "/v1/customers/c1/usage", "/v1/admin/exports/usage-daily?format=ndjson",
        ];
        var bodies = new List<string>();
        foreach (var url in urls)
        {
            var response = await app.Admin.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            bodies.Add(url + " " + await response.Content.ReadAsStringAsync());
        }

        return string.Join('\n', bodies);
    }

    private static Task<long> CountAsync(TollgateApp app, string table) =>
        app.Get<TollgateDatabase>().ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"));

    [Fact]
    public async Task ReportsAreIdenticalBeforeAndAfterPruningRawRows()
    {
        await using var app = await StartWithRetentionAsync();
        await RecordHistoryAsync(app, calls: 5);
        await app.AdvanceAsync(TimeSpan.FromDays(60));
        var before = await ReportsAsync(app);
        Assert.Equal((5L, 1L), (await CountAsync(app, "llm_calls"), await CountAsync(app, "usage_events")));

        var report = await app.Get<RetentionPruner>().PruneAsync(app.Clock.GetUtcNow());
        var after = await ReportsAsync(app);

        Assert.Equal((false, 5L, 1L), (report.Skipped, report.LlmCalls, report.Events));
        Assert.Equal((0L, 0L, 0L), (await CountAsync(app, "llm_calls"), await CountAsync(app, "usage_events"), await CountAsync(app, "idempotency_keys")));
        Assert.True(await CountAsync(app, "llm_daily") > 0);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task PruningDeletesInBatchesUntilNothingOldIsLeftAndKeepsRecentRows()
    {
        await using var app = await StartWithRetentionAsync(batchSize: "2");
        await RecordHistoryAsync(app, calls: 7);
        await app.AdvanceAsync(TimeSpan.FromDays(60));
        await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", feature = "chat", model = "gpt-4o-mini", input_tokens = 1, request_id = "fresh" });

        var report = await app.Get<RetentionPruner>().PruneAsync(app.Clock.GetUtcNow());

        Assert.Equal(7L, report.LlmCalls);
        Assert.Equal(["fresh"], await app.Get<TollgateDatabase>().ReadAsync(async c => (await c.QueryAsync<string>("SELECT request_id FROM llm_calls")).ToList()));
    }

    [Fact]
    public async Task ARetentionSettingOutOfRangeStopsTheServerNamingIt()
    {
        var settings = ApiSetup.LlmCatalog();
        settings["Tollgate:Retention:EventsDays"] = "7";

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(settings));

        Assert.Contains("Tollgate:Retention:EventsDays", failure.ToString(), StringComparison.Ordinal);
    }
}

public sealed class SqliteRetentionTests : RetentionContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresRetentionTests : RetentionContract
{
    protected override StoreKind Kind => StoreKind.Postgres;

    [Fact]
    public async Task APassIsSkippedWhileAnotherNodeHoldsTheRetentionLock()
    {
        await using var app = await StartAsync(ApiSetup.LlmCatalog());
        await using var otherNode = new NpgsqlConnection(app.ConnectionString);
        await otherNode.OpenAsync();
        Assert.True(await otherNode.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(@key)", new { key = RetentionPruner.LockKey }));

        var report = await app.Get<RetentionPruner>().PruneAsync(app.Clock.GetUtcNow());

        Assert.True(report.Skipped);
    }
}
