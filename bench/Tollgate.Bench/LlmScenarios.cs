using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Tollgate.Bench;

/// <summary>LLM call ingestion, one call and 500 per request, and the revenue-against-cost report over a large history.</summary>
public sealed partial class Scenarios
{
    private const int BatchSize = 500;
    private const string LlmCatalog = """
        { "default_plan": "free",
          "features": [ { "code": "chat", "name": "Chat", "unit": "messages", "kind": "metered", "uses_llm": true },
                        { "code": "cv_generate", "name": "CVs", "unit": "CVs", "kind": "metered", "uses_llm": true },
                        { "code": "mock_interview", "name": "Interviews", "unit": "interviews", "kind": "metered", "uses_llm": true } ],
          "plans": [ { "code": "free", "name": "Free", "llm_budget_usd": 1000000, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
            "features": [ { "feature_code": "chat", "monthly_quota": null }, { "feature_code": "cv_generate", "monthly_quota": null },
                          { "feature_code": "mock_interview", "monthly_quota": null } ] } ] }
        """;

    private static readonly string[] Features = ["chat", "cv_generate", "mock_interview"];
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash"];

    private static string Call(long n, string requestId) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"customer\":\"bench-{n % Customers}\",\"feature\":\"{Features[n % 3]}\",\"model\":\"{Models[n % 4]}\",\"input_tokens\":1200,"
        + $"\"output_tokens\":300,\"cached_input_tokens\":200,\"request_id\":\"{requestId}\"}}");

    private static string Batch(int n)
    {
        var body = new StringBuilder("{\"calls\":[");
        for (var i = 0; i < BatchSize; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(Call(((long)n * BatchSize) + i, $"b{n}-{i}"));
        }

        return body.Append("]}").ToString();
    }

    private async Task<IReadOnlyList<LoadResult>> LlmIngestAsync(string store, string provider, string connectionString)
    {
        await using var server = await StartTollgateAsync(provider, connectionString, LlmCatalog);
        var load = new LoadGenerator(server.Address, AdminKey, options.Warmup);
        var single = await load.RunAsync($"(llm) log one call per request, {store}", "v1/llm/usage", n => Call(n, $"s{n}"), options.Concurrency,
            options.Duration, unique: true);
        var batchedCpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), new HashSet<int> { server.Pid });
        var batched = await load.RunAsync($"(llm) log {BatchSize} calls per request, {store}", "v1/llm/usage", Batch, options.BatchConcurrency,
            options.Duration, unique: true);
        // Per call, not per request: each request carries BatchSize calls.
        Console.WriteLine($"(llm) {BatchSize} per request, {store}, per call: {(await batchedCpu).Describe(batched.Throughput * BatchSize)}");
        return [single, batched with { ItemsPerRequest = BatchSize }];
    }

    /// <summary>
    /// Seeds <see cref="BenchOptions.LlmCalls"/> calls over the last 30 days (1,000 customers × 3 features × 4 models) with
    /// their daily rollups, then times the admin reports one request at a time.
    /// </summary>
    private async Task<IReadOnlyList<LoadResult>> LlmStatsAsync(string path)
    {
        var seeding = Stopwatch.StartNew();
        await using var server = await StartTollgateAsync("sqlite", path, LlmCatalog, () => SeedLlmCallsAsync(path, options.LlmCalls));
        Console.WriteLine($"llm-stats: seeded {options.LlmCalls:N0} calls in {seeding.Elapsed.TotalSeconds:N0} s");
        using var admin = new HttpClient { BaseAddress = server.Address };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        var calls = $"{options.LlmCalls / 1_000_000.0:0.#}M calls";
        return
        [
            await TimeGetAsync(admin, $"(llm-stats) revenue-vs-cost?days=30 over {calls}", "v1/admin/stats/revenue-vs-cost?days=30"),
            await TimeGetAsync(admin, $"(llm-stats) top-spenders?days=30 over {calls}", "v1/admin/stats/top-spenders?days=30"),
            await TimeGetAsync(admin, $"(llm-stats) user-costs/bench-7?days=30 over {calls}", "v1/admin/stats/user-costs/bench-7?days=30"),
        ];
    }

    private static async Task<LoadResult> TimeGetAsync(HttpClient admin, string name, string path)
    {
        const int Warmup = 5, Measured = 30;
        var latencies = new List<double>();
        long errors = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < Warmup + Measured; i++)
        {
            if (i == Warmup)
            {
                total.Restart();
            }

            var one = Stopwatch.StartNew();
            using var response = await admin.GetAsync(new Uri(path, UriKind.Relative));
            await response.Content.ReadAsByteArrayAsync();
            if (i >= Warmup)
            {
                latencies.Add(one.Elapsed.TotalMilliseconds);
                errors += response.IsSuccessStatusCode ? 0 : 1;
            }
        }

        latencies.Sort();
        return new LoadResult(name, 1, total.Elapsed.TotalSeconds, Measured, errors, latencies[Measured / 2], latencies[^1], null);
    }

    /// <summary>Calls and the rollup rows the write path would have made for them, written straight into the database.</summary>
    private static async Task SeedLlmCallsAsync(string path, long count)
    {
        SQLitePCL.Batteries_V2.Init();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;";
            await pragma.ExecuteNonQueryAsync();
        }

        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO llm_calls (customer_id, request_id, feature_code, model, provider, input_tokens, output_tokens, cached_input_tokens,
                cache_write_tokens, reasoning_tokens, requests, images, cost_nano, unpriced, plan_code, occurred_at, received_at, body_hash)
            VALUES ($c, $r, $f, $m, 'bench', 1000, 300, 200, 0, 0, 0, 0, $cost, 0, 'free', $t, $t, 'seed')
            """;
        var (c, r, f, m, cost, t) = (insert.Parameters.Add("$c", SqliteType.Text), insert.Parameters.Add("$r", SqliteType.Text),
            insert.Parameters.Add("$f", SqliteType.Text), insert.Parameters.Add("$m", SqliteType.Text), insert.Parameters.Add("$cost", SqliteType.Integer),
            insert.Parameters.Add("$t", SqliteType.Integer));
        var now = DateTimeOffset.UtcNow;
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var secondsToday = Math.Max(1, (long)(now - today).TotalSeconds); // no seeded call lies in the future
        var rollups = new Dictionary<(int Day, long Customer, int Feature, int Model), (long Calls, long Cost)>();
        for (long i = 0; i < count; i++)
        {
            var (day, customer, feature, model) = ((int)(i % 30), i / 30 % Customers, (int)(i / 30_000 % 3), (int)(i / 90_000 % 4));
            var costNano = 1_000_000L + (model * 500_000L);
            (c.Value, r.Value, f.Value, m.Value, cost.Value) = ($"bench-{customer}", $"seed-{i}", Features[feature], Models[model], costNano);
            t.Value = today.AddDays(-day).AddSeconds(i % secondsToday).ToUnixTimeMilliseconds();
            await insert.ExecuteNonQueryAsync();
            var key = (day, customer, feature, model);
            var (calls, sum) = rollups.GetValueOrDefault(key);
            rollups[key] = (calls + 1, sum + costNano);
        }

        string Day(int day) => today.AddDays(-day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        async Task InsertAsync(string sql, IEnumerable<object[]> rows)
        {
            var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            var parameters = Enumerable.Range(0, sql.Count(ch => ch == '$')).Select(i => command.Parameters.AddWithValue($"$p{i}", DBNull.Value)).ToArray();
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    parameters[i].Value = row[i];
                }

                await command.ExecuteNonQueryAsync();
            }
        }

        const string Sums = "calls, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, requests, images, cost_nano, unpriced_calls";
        const string Values = "$p4 * 1, $p4 * 1000, $p4 * 300, $p4 * 200, 0, 0, 0, 0, $p5, 0";
        await InsertAsync($"INSERT INTO llm_daily (customer_id, day, feature_code, model, plan_code, {Sums}) VALUES ($p0, $p1, $p2, $p3, 'free', {Values})",
            rollups.Select(r => new object[] { $"bench-{r.Key.Customer}", Day(r.Key.Day), Features[r.Key.Feature], Models[r.Key.Model], r.Value.Calls, r.Value.Cost }));
        await InsertAsync($"INSERT INTO llm_daily_totals (day, feature_code, model, plan_code, {Sums}) VALUES ($p0, $p1, $p2, $p3, {Values.Replace("$p4", "$p3", StringComparison.Ordinal).Replace("$p5", "$p4", StringComparison.Ordinal)})",
            rollups.GroupBy(r => (r.Key.Day, r.Key.Feature, r.Key.Model)).Select(g => new object[]
                { Day(g.Key.Day), Features[g.Key.Feature], Models[g.Key.Model], "free", g.Sum(r => r.Value.Calls), g.Sum(r => r.Value.Cost) }));
        await InsertAsync("INSERT INTO llm_daily_customers (day, customer_id, calls, cost_nano) VALUES ($p0, $p1, $p2, $p3)",
            rollups.GroupBy(r => (r.Key.Day, r.Key.Customer)).Select(g => new object[]
                { Day(g.Key.Day), $"bench-{g.Key.Customer}", g.Sum(r => r.Value.Calls), g.Sum(r => r.Value.Cost) }));
        await InsertAsync("INSERT INTO llm_activity (customer_id, feature_code, last_day) VALUES ($p0, $p1, $p2)",
            rollups.GroupBy(r => (r.Key.Customer, Feature: Features[r.Key.Feature])).Select(g => (g.Key.Customer, g.Key.Feature, Day: g.Min(r => r.Key.Day)))
                .Concat(rollups.GroupBy(r => r.Key.Customer).Select(g => (Customer: g.Key, Feature: "*", Day: g.Min(r => r.Key.Day))))
                .Select(a => new object[] { $"bench-{a.Customer}", a.Feature, Day(a.Day) }));
        await tx.CommitAsync();
        Console.WriteLine($"llm-stats: {rollups.Count:N0} daily rollup rows");
    }
}
