using System.Text;
using Microsoft.Data.Sqlite;
using Tollgate.Testing;

namespace Tollgate.Bench;

/// <summary>The scenarios of the benchmark; each starts its server in a child process.</summary>
public sealed partial class Scenarios(BenchOptions options)
{
    private const int Customers = 1000;
    private const string AdminKey = "tg_bench_admin_key_0123456789";
    private const string Catalog = """
        { "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [ { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
            "features": [ { "feature_code": "api_calls", "monthly_quota": 1000000000000 } ] } ] }
        """;

    private const string RateCatalog = """
        { "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [ { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
            "features": [ { "feature_code": "api_calls", "monthly_quota": 1000000000000,
              "rate_limit": { "limit": 1000000000, "per": "second" } } ] } ] }
        """;

    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "Tollgate.Server.dll");
    private static readonly string BenchDll = Path.Combine(AppContext.BaseDirectory, "Tollgate.Bench.dll");
    private readonly string _dir = Directory.CreateTempSubdirectory("tollgate-bench-").FullName;

    public async Task<IReadOnlyList<LoadResult>> RunAsync(string scenario) => scenario switch
    {
        "a" => await BareAsync(),
        "b" => await TollgateAsync("(b) consume, SQLite", "sqlite", Path.Combine(_dir, "tollgate.db"), historyRows: 0, halfLoad: true),
        "b-history" => await TollgateAsync("(b) consume, SQLite, 1M history rows", "sqlite", Path.Combine(_dir, "tollgate-h.db"), 1_000_000, false),
        "c" => await TollgateAsync("(c) consume, PostgreSQL", "postgres", await PostgresServer.CreateDatabaseAsync(), 0, halfLoad: true),
        // The same consume on a feature with a rate limit high enough never to refuse: what deciding it costs (issue 12).
        "b-rate" => await TollgateAsync("(b) consume, SQLite, rate-limited feature", "sqlite", Path.Combine(_dir, "tollgate-r.db"), 0, false, RateCatalog),
        "c-rate" => await TollgateAsync("(c) consume, PostgreSQL, rate-limited feature", "postgres", await PostgresServer.CreateDatabaseAsync(), 0, false,
            RateCatalog),
        "b-pair" => await RatePairAsync("(b-pair) SQLite", "sqlite", Path.Combine(_dir, "tollgate-pair.db")),
        "c-pair" => await RatePairAsync("(c-pair) PostgreSQL", "postgres", await PostgresServer.CreateDatabaseAsync()),
        "b-llm" => await LlmPairAsync("(b-llm) SQLite", "sqlite", Path.Combine(_dir, "tollgate-llm-pair.db")),
        "c-llm" => await LlmPairAsync("(c-llm) PostgreSQL", "postgres", await PostgresServer.CreateDatabaseAsync()),
        "c-team" => await TeamPairAsync("(c-team) PostgreSQL", "postgres", await PostgresServer.CreateDatabaseAsync()),
        "d" => await NaiveAsync(),
        "e" => await PgbenchAsync(),
        "r" => await RetentionAsync(),
        "f" => await HealthzRatioAsync(),
        "g" => await OverloadAsync(),
        "h" => await ScaleOutAsync(),
        "llm" => await LlmIngestAsync("SQLite", "sqlite", Path.Combine(_dir, "tollgate-llm.db")),
        "llm-pg" => await LlmIngestAsync("PostgreSQL", "postgres", await PostgresServer.CreateDatabaseAsync()),
        "llm-stats" => await LlmStatsAsync(Path.Combine(_dir, "tollgate-llm-stats.db")),
        "export" => await ExportAsync(Path.Combine(_dir, "tollgate-export.db")),
        "events" => await TrackedIngestAsync("SQLite", "sqlite", Path.Combine(_dir, "tollgate-events.db")),
        "events-pg" => await TrackedIngestAsync("PostgreSQL", "postgres", await PostgresServer.CreateDatabaseAsync()),
        "events-mixed" => await TrackedIngestAsync("SQLite", "sqlite", Path.Combine(_dir, "tollgate-events-mixed.db"), mixed: true),
        "events-mixed-pg" => await TrackedIngestAsync("PostgreSQL", "postgres", await PostgresServer.CreateDatabaseAsync(), mixed: true),
        "events-team" => await MemberEventsAsync("SQLite", "sqlite", Path.Combine(_dir, "tollgate-events-team.db")),
        "events-team-pg" => await MemberEventsAsync("PostgreSQL", "postgres", await PostgresServer.CreateDatabaseAsync()),
        "metrics" => await MetricIngestAsync("SQLite", "sqlite", Path.Combine(_dir, "tollgate-metrics.db")),
        "metrics-pg" => await MetricIngestAsync("PostgreSQL", "postgres", await PostgresServer.CreateDatabaseAsync()),
        "metrics-usage" => await MetricUsageAsync(Path.Combine(_dir, "tollgate-metrics-usage.db")),
        _ => throw new ArgumentException($"unknown scenario {scenario}"),
    };

    private const string ConsumePath = "v1/entitlements/consume";

    private static string Consume(int sequence) => $"{{\"customer\":\"bench-{sequence % Customers}\",\"feature\":\"api_calls\",\"amount\":1}}";

    /// <summary>The CPU profile of a run that starts now: <paramref name="warmup"/> skipped, and a second trimmed off the end.</summary>
    private Task<CpuProfile> SampleSteadyState(TimeSpan warmup, IReadOnlySet<int> serverPids) =>
        CpuSampler.SampleAsync(warmup, options.Duration - TimeSpan.FromSeconds(2), serverPids);

    private async Task<IReadOnlyList<LoadResult>> BareAsync()
    {
        var port = ChildProcess.FreePort();
        await using var server = await ChildProcess.StartAsync(BenchDll, ["bare", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string>(), port);
        var load = new LoadGenerator(server.Address, null, options.Warmup);
        var max = await load.RunAsync("(a) bare Kestrel JSON endpoint", ConsumePath, Consume, options.Concurrency, options.Duration);
        return [max, await load.RunAsync("(a) bare Kestrel JSON endpoint", ConsumePath, Consume, options.Concurrency, options.Duration, max.Throughput / 2)];
    }

    private async Task<IReadOnlyList<LoadResult>> TollgateAsync(
        string name, string provider, string connectionString, long historyRows, bool halfLoad, string catalog = Catalog)
    {
        await using var server = await StartTollgateAsync(provider, connectionString, catalog,
            historyRows > 0 ? () => SeedHistoryAsync(connectionString, historyRows) : null);
        var load = new LoadGenerator(server.Address, AdminKey, options.Warmup);
        var cpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), new HashSet<int> { server.Pid });
        var max = await load.RunAsync(name, ConsumePath, Consume, options.Concurrency, options.Duration);
        Console.WriteLine($"{name}, {(await cpu).Describe(max.Throughput)}");
        if (!halfLoad)
        {
            return [max];
        }

        var half = await load.RunAsync(name, ConsumePath, Consume, options.Concurrency, options.Duration, rate: max.Throughput / 2);
        return [max, half];
    }

    /// <summary>Starts a Tollgate server with <paramref name="catalog"/> and the bench customers; <paramref name="seed"/> runs after migrations, before start.</summary>
    private async Task<ChildProcess> StartTollgateAsync(
        string provider, string connectionString, string catalog, Func<Task>? seed = null, IReadOnlyDictionary<string, string>? env = null)
    {
        var catalogPath = Path.Combine(_dir, $"catalog-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(catalogPath, catalog);
        var environment = new Dictionary<string, string>
        {
            ["TOLLGATE_ADMIN_KEY"] = AdminKey,
            ["Tollgate__Database__Provider"] = provider,
            ["Tollgate__Database__ConnectionString"] = connectionString,
            ["Tollgate__Catalog__SeedFile"] = catalogPath,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in env ?? options.ServerEnv)
        {
            environment[key] = value;
        }

        if (seed is not null)
        {
            await ChildProcess.RunToEndAsync(ServerDll, ["migrate"], environment);
            await seed();
        }

        var port = ChildProcess.FreePort();
        var server = await ChildProcess.StartAsync(ServerDll, ["--urls", $"http://127.0.0.1:{port}"], environment, port);
        using var admin = new HttpClient { BaseAddress = server.Address };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        var seeded = await Task.WhenAll(Enumerable.Range(0, Customers).Select(i => admin.PutAsync(new Uri($"v1/customers/bench-{i}", UriKind.Relative),
            new StringContent("{}", Encoding.UTF8, "application/json"))));
        // A customer that failed to seed would show up later as a refused consume and be misread as the server's error.
        if (seeded.FirstOrDefault(r => !r.IsSuccessStatusCode) is { } failed)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"seeding a bench customer answered {(int)failed.StatusCode}: {await failed.Content.ReadAsStringAsync()}");
        }

        return server;
    }

    /// <summary>A long-lived database: a million past usage events and daily rollups the consume path never needs to read.</summary>
    private static async Task SeedHistoryAsync(string path, long rows)
    {
        SQLitePCL.Batteries_V2.Init();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        await connection.OpenAsync();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO usage_events (customer_id, id, feature_code, amount, occurred_at, received_at) VALUES ($c, $id, 'api_calls', 1, $t, $t)";
        var c = insert.Parameters.Add("$c", SqliteType.Text);
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var t = insert.Parameters.Add("$t", SqliteType.Integer);
        for (long i = 0; i < rows; i++)
        {
            c.Value = $"bench-{i % Customers}";
            id.Value = $"e{i}";
            t.Value = 1_700_000_000_000 + i;
            await insert.ExecuteNonQueryAsync();
        }

        await tx.CommitAsync();
    }

    private async Task<IReadOnlyList<LoadResult>> NaiveAsync()
    {
        var results = new List<LoadResult>();
        foreach (var rows in options.NaiveRows)
        {
            var port = ChildProcess.FreePort();
            var path = Path.Combine(_dir, $"naive-{rows}.db");
            var args = new[] { "naive", $"{port}", path, "100", $"{rows}" };
            await using var server = await ChildProcess.StartAsync(BenchDll, args, new Dictionary<string, string>(), port);
            var name = $"(d) sum-then-insert, SQLite, {rows:N0} history rows";
            // The seeds' approach is aimed at the 100 customers whose rows the sum scans.
            results.Add(await new LoadGenerator(server.Address, null, options.Warmup).RunAsync(name, ConsumePath, s => Consume(s % 100), options.Concurrency, options.Duration));
        }

        return results;
    }
}
