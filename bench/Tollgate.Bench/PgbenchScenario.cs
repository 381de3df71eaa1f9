using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Tollgate.Bench;

/// <summary>
/// Tollgate's consume against the naive design it replaces, on one durable cluster, one after the other: pgbench runs
/// one conditional UPDATE per transaction (one WAL flush each, shared only by what PostgreSQL's own commit grouping
/// catches), then Tollgate consumes through HTTP with the same number of clients and counters.
/// </summary>
public sealed partial class Scenarios
{
    private const string NaiveTransaction = """
        \set c random(1, 1000)
        UPDATE counters SET used = used + 1 WHERE id = :c AND used + 1 <= quota;
        """;

    private async Task<IReadOnlyList<LoadResult>> PgbenchAsync()
    {
        await using var cluster = await DurableCluster.StartAsync();
        await cluster.CreateDatabaseAsync("naive");
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString("naive")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("""
                CREATE TABLE counters (id int PRIMARY KEY, used bigint NOT NULL, quota bigint NOT NULL);
                INSERT INTO counters SELECT i, 0, 1000000000000 FROM generate_series(1, 1000) i;
                """, connection);
            await create.ExecuteNonQueryAsync();
            await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE counters", connection);
            await vacuum.ExecuteNonQueryAsync();
        }

        var script = Path.Combine(cluster.DataDirectory, "naive.sql");
        await File.WriteAllTextAsync(script, NaiveTransaction);
        string[] Args(TimeSpan duration) =>
        [
            "-n", "-M", "prepared", "-c", options.Concurrency.ToString(CultureInfo.InvariantCulture), "-j", "2",
            "-T", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-f", script,
            "-h", "127.0.0.1", "-p", cluster.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "naive",
        ];
        await cluster.RunPgAsync("pgbench", Args(options.Warmup));
        var pgbenchCpu = SampleSteadyState(TimeSpan.FromSeconds(1), new HashSet<int>());
        var output = await cluster.RunPgAsync("pgbench", Args(options.Duration));
        var tps = double.Parse(TpsLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var latency = double.Parse(LatencyLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var naive = new LoadResult("(e) pgbench naive conditional UPDATE, PostgreSQL fsync on", options.Concurrency, options.Duration.TotalSeconds,
            (long)(tps * options.Duration.TotalSeconds), 0, latency, double.NaN, null);

        await cluster.CreateDatabaseAsync("tollgate");
        await using var server = await StartTollgateAsync("postgres", cluster.ConnectionString("tollgate"), Catalog);
        var consumeCpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), new HashSet<int> { server.Pid });
        var consume = await new LoadGenerator(server.Address, AdminKey, options.Warmup).RunAsync(
            "(e) consume, PostgreSQL fsync on", ConsumePath, Consume, options.Concurrency, options.Duration);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(e) consume ÷ pgbench naive = {consume.Throughput:N0} / {naive.Throughput:N0} = {consume.Throughput / naive.Throughput:0.00}; " +
            $"consume p99 {consume.P99Ms:0.00} ms (pgbench p50 column is its average latency)"));
        Console.WriteLine($"(e) pgbench naive, {(await pgbenchCpu).Describe(naive.Throughput)}");
        Console.WriteLine($"(e) consume, {(await consumeCpu).Describe(consume.Throughput)}");
        return [naive, consume];
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyLine();
}
