using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Tollgate.Bench;

/// <summary>
/// Whether retention hurts the hot path (issue 30, growth): consume on a durable PostgreSQL cluster, first with nothing
/// to prune, then right after 1,000,000 usage events past their age are added, while the server's own retention pass
/// deletes them. The figure is consume's p99 in the second window against the first, in one run. The second window also
/// carries what adding the rows leaves behind (autovacuum, checkpoints); the line says when the pass was done.
/// </summary>
public sealed partial class Scenarios
{
    private const long PrunedEvents = 1_000_000;

    private async Task<IReadOnlyList<LoadResult>> RetentionAsync()
    {
        await using var cluster = await DurableCluster.StartAsync();
        await cluster.CreateDatabaseAsync("tollgate");
        var connectionString = cluster.ConnectionString("tollgate");
        // The pass runs every 2 s, so it starts on the old rows as soon as they are committed.
        var env = new Dictionary<string, string>(options.ServerEnv) { ["Tollgate__Retention__Interval"] = "00:00:02" };
        await using var server = await StartTollgateAsync("postgres", connectionString, Catalog, env: env);
        var quiet = await new LoadGenerator(server.Address, AdminKey, options.Warmup).RunAsync(
            "(r) consume, PostgreSQL fsync on, nothing to prune", ConsumePath, Consume, options.Concurrency, options.Duration);

        // 200 days old: past the default 90 days of Tollgate:Retention:EventsDays.
        var old = DateTimeOffset.UtcNow.AddDays(-200).ToUnixTimeMilliseconds();
        async Task<long> SqlAsync(string sql)
        {
            await using var db = new NpgsqlConnection(connectionString);
            await db.OpenAsync();
            await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 600 };
            return await command.ExecuteScalarAsync() is long n ? n : 0;
        }

        var seeding = Stopwatch.StartNew();
        await SqlAsync($"""
            INSERT INTO usage_events (customer_id, id, feature_code, amount, occurred_at, received_at)
            SELECT 'bench-' || (i % {Customers}), 'old-' || i, 'api_calls', 1, {old} + i, {old} + i FROM generate_series(1, {PrunedEvents}) i
            """);
        Console.WriteLine($"(r) added {PrunedEvents:N0} usage events 200 days old in {seeding.Elapsed.TotalSeconds:N1} s");

        var clock = Stopwatch.StartNew();
        var gone = TimeSpan.Zero;
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && gone == TimeSpan.Zero)
            {
                if (await SqlAsync($"SELECT count(*) FROM usage_events WHERE received_at <= {old + PrunedEvents}") == 0)
                {
                    gone = clock.Elapsed;
                }

                await Task.Delay(500, CancellationToken.None);
            }
        });
        var pruning = await new LoadGenerator(server.Address, AdminKey, TimeSpan.Zero).RunAsync(
            "(r) consume, PostgreSQL fsync on, while retention prunes 1M events", ConsumePath, Consume, options.Concurrency, options.Duration);
        var window = clock.Elapsed;
        await Task.WhenAny(watch, Task.Delay(TimeSpan.FromMinutes(5)));
        await stop.CancelAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(r) consume p99 while pruning ÷ without = {pruning.P99Ms:0.00} / {quiet.P99Ms:0.00} ms = {pruning.P99Ms / quiet.P99Ms:0.00}; " +
            $"throughput {pruning.Throughput:N0} / {quiet.Throughput:N0} req/s; the rows were all deleted {gone.TotalSeconds:N1} s after they were " +
            $"added (0: not within 5 min); the window was the first {window.TotalSeconds:N1} s"));
        return [quiet, pruning];
    }
}
