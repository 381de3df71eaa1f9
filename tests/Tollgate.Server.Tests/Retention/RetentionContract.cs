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
    protected Task<TollgateApp> StartWithRetentionAsync(string batchSize = "5000")
    {
        var settings = ApiSetup.LlmCatalog();
        settings["Tollgate:Retention:LlmCallsDays"] = "40";
        settings["Tollgate:Retention:EventsDays"] = "40";
        settings["Tollgate:Retention:BatchSize"] = batchSize;
        settings["Tollgate:Retention:Interval"] = "3650.00:00:00"; // the test prunes by hand, between its two readings
        return StartAsync(settings);
    }

    protected static async Task RecordHistoryAsync(TollgateApp app, int calls)
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

    protected static Task<long> CountAsync(TollgateApp app, string table) =>
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

    private static Task<List<string>> PartitionsOfAsync(TollgateApp app, string table) =>
        app.Get<TollgateDatabase>().ReadAsync(async c => (await c.QueryAsync<string>("""
            SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = @table::regclass ORDER BY p.relname
            """, new { table })).ToList());

    private static string WeekPartition(string table, DateTimeOffset at)
    {
        var monday = at.UtcDateTime.Date.AddDays(-(((int)at.UtcDateTime.DayOfWeek + 6) % 7));
        return $"{table}_{monday:yyyyMMdd}";
    }

    [Fact]
    public async Task StartMakesWeekPartitionsFourWeeksAheadOfTheClockForEventsAndCalls()
    {
        // A migrated database without the weeks (a test server's own is cloned with its start's weeks already made).
        var database = await TestDatabases.CreateAsync(Kind);
        string[] tables = ["usage_events", "llm_calls"];
        var weeks = tables.SelectMany(table => Enumerable.Range(0, 5).Select(w => WeekPartition(table, TollgateApp.DefaultStart.AddDays(7 * w)))).ToArray();
        Assert.Equal(0L, await PostgresServer.ScalarAsync(database.ConnectionString!,
            $"SELECT count(*) FROM unnest(ARRAY['{string.Join("', '", weeks)}']) AS w WHERE to_regclass(w) IS NOT NULL"));

        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.LlmCatalog(), connectionString: database.ConnectionString);
        var partitions = (await PartitionsOfAsync(app, tables[0])).Concat(await PartitionsOfAsync(app, tables[1])).ToList();

        Assert.Equal(TollgateApp.DefaultStart, app.Clock.GetUtcNow());
        Assert.All(tables, table => Assert.Contains(table + "_default", partitions));
        Assert.All(weeks, week => Assert.Contains(week, partitions));
    }

    [Fact]
    public async Task PruningDropsWholeWeeksPastTheCutoffAndMovesWhatDefaultTookIntoTheWeeksItMakesAhead()
    {
        await using var app = await StartWithRetentionAsync();
        await RecordHistoryAsync(app, calls: 3);
        var recorded = app.Clock.GetUtcNow();
        // 50 days on, past the weeks made at start: DEFAULT takes the call until the pass makes its week.
        await app.AdvanceAsync(TimeSpan.FromDays(50));
        await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", feature = "chat", model = "gpt-4o-mini", input_tokens = 1, request_id = "later" });
        var later = app.Clock.GetUtcNow();

        var report = await app.Get<RetentionPruner>().PruneAsync(later);

        Assert.Equal((3L, 1L), (report.LlmCalls, report.Events));
        Assert.DoesNotContain(WeekPartition("llm_calls", recorded), await PartitionsOfAsync(app, "llm_calls"));
        Assert.Contains(WeekPartition("llm_calls", later.AddDays(28)), await PartitionsOfAsync(app, "llm_calls"));
        Assert.Equal([("later", WeekPartition("llm_calls", later))], await app.Get<TollgateDatabase>().ReadAsync(async c =>
            (await c.QueryAsync<(string, string)>("SELECT request_id, tableoid::regclass::text FROM llm_calls")).ToList()));
        Assert.Equal(1L, await CountAsync(app, "llm_call_keys"));
    }

    [Fact]
    public async Task ACallPastTheCutoffWaitsForItsWholeWeekWithItsIdUnlessDefaultHeldItThenBothGoAtTheCutoff()
    {
        await using var app = await StartWithRetentionAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");
        // A Thursday noon call in its week's partition, and one dated in 2020, which no partition covers.
        await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", feature = "chat", model = "gpt-4o-mini", input_tokens = 1, request_id = "week" });
        var stray = await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "c1", feature = "chat", model = "gpt-4o-mini", input_tokens = 1, request_id = "stray", timestamp = "2020-01-01T00:00:00Z",
        });
        Assert.Equal(HttpStatusCode.OK, stray.StatusCode);
        Assert.Equal(1L, await app.Get<TollgateDatabase>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT count(*) FROM llm_calls_default")));
        await app.AdvanceAsync(TimeSpan.FromDays(40) + TimeSpan.FromHours(1));

        await app.Get<RetentionPruner>().PruneAsync(app.Clock.GetUtcNow());
        var held = await app.Get<TollgateDatabase>().ReadAsync(async c => (await c.QueryAsync<string>("SELECT request_id FROM llm_calls")).ToList());
        var resent = await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", feature = "chat", model = "gpt-4o-mini", input_tokens = 1, request_id = "week" });

        // SQLite deletes both. Here the stray goes by rows with its id, and the other waits for its week, up to 7 days more,
        // its id with it: the same id sent meanwhile is still the call logged, so it counts once.
        Assert.Equal(["week"], held);
        Assert.Contains("\"status\":\"duplicate\"", await resent.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(("week", "week"), await app.Get<TollgateDatabase>().ReadAsync(async c =>
            (string.Join(",", await c.QueryAsync<string>("SELECT request_id FROM llm_calls")),
                string.Join(",", await c.QueryAsync<string>("SELECT request_id FROM llm_call_keys")))));
    }

    [Fact]
    public async Task AResentEventAndCallCountOnceAndGetTheirFirstAnswer()
    {
        await using var app = await StartAsync(ApiSetup.LlmCatalog());
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");
        object Event(int amount) => new { events = new[] { new { id = "e1", customer = "c1", feature = "export", amount } } };
        object Call(int tokens) => new { customer = "c1", feature = "chat", model = "gpt-4o-mini", input_tokens = tokens, request_id = "r1" };

        var first = await app.Admin.PostJsonAsync("/v1/events", Event(3));
        await app.AdvanceAsync(TimeSpan.FromDays(8)); // into another week's partition
        var again = await (await app.Admin.PostJsonAsync("/v1/events", Event(3))).Content.ReadAsStringAsync();
        await app.Admin.PostJsonAsync("/v1/llm/usage", Call(1000));
        await app.AdvanceAsync(TimeSpan.FromDays(8));
        var callAgain = await app.Admin.PostJsonAsync("/v1/llm/usage", Call(1000));
        var changed = await app.Admin.PostJsonAsync("/v1/llm/usage", Call(2000));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("\"duplicates\":[\"e1\"]", again, StringComparison.Ordinal);
        Assert.Equal((1L, 1L), (await CountAsync(app, "usage_events"), await CountAsync(app, "llm_calls")));
        Assert.Contains("\"status\":\"duplicate\"", await callAgain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
    }

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
