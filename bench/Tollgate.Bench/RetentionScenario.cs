using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Tollgate.Bench;

/// <summary>
/// Whether retention hurts the hot path (issue 30, growth): consume on a durable PostgreSQL cluster, first with nothing
/// to prune, then while the server's own retention pass deletes 1,000,000 usage events that have just come of age. The
/// rows are added younger than the 90 days kept, vacuumed and checkpointed, so adding them costs the second window
/// nothing; they cross the age a few seconds into it. The figure is consume's p99 in the second window against the
/// first, in one run; the line says when the pass began and ended within the window. usage_events is partitioned by week
/// (migration 0043), so the rows are put in a partition of their own that ends a second after them: the pass drops it
/// whole, as it drops a week that has aged, and deletes the 1,000,000 ids kept apart in usage_event_keys by rows.
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

        // 90 days old (the default Tollgate:Retention:EventsDays) 12 s from now, spread over a tenth of a second: adding,
        // vacuuming and checkpointing them takes 6-7 s here, and the window's warm-up 3 s.
        var old = DateTimeOffset.UtcNow.AddDays(-90).AddSeconds(12).ToUnixTimeMilliseconds();
        async Task<long> SqlAsync(string sql)
        {
            await using var db = new NpgsqlConnection(connectionString);
            await db.OpenAsync();
            await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 600 };
            return await command.ExecuteScalarAsync() is long n ? n : 0;
        }

        var seeding = Stopwatch.StartNew();
        // Triggers off for the seeding session (the one that keeps ids once costs a call per row); the ids go in as one statement.
        await SqlAsync($"""
            CREATE TABLE usage_events_bench_old PARTITION OF usage_events FOR VALUES FROM ({old}) TO ({old + 1000});
            SET session_replication_role = replica;
            INSERT INTO usage_events (customer_id, id, feature_code, amount, occurred_at, received_at)
            SELECT 'bench-' || (i % {Customers}), 'old-' || i, 'api_calls', 1, {old} + i / 10000, {old} + i / 10000
            FROM generate_series(1, {PrunedEvents}) i;
            INSERT INTO usage_event_keys (customer_id, id, received_at)
            SELECT 'bench-' || (i % {Customers}), 'old-' || i, {old} + i / 10000 FROM generate_series(1, {PrunedEvents}) i;
            """);
        await SqlAsync("VACUUM ANALYZE usage_event_keys");
        await SqlAsync("VACUUM ANALYZE usage_events");
        await SqlAsync("CHECKPOINT");
        Console.WriteLine($"(r) added {PrunedEvents:N0} usage events, vacuumed and checkpointed, in {seeding.Elapsed.TotalSeconds:N1} s");

        var clock = Stopwatch.StartNew();
        var gone = TimeSpan.Zero;
        var began = TimeSpan.Zero;
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && gone == TimeSpan.Zero)
            {
                // The ids go first, by rows, then the partition at once.
                var left = await SqlAsync($"""
                    SELECT (SELECT count(*) FROM usage_events WHERE received_at <= {old + PrunedEvents})
                        + (SELECT count(*) FROM usage_event_keys WHERE received_at <= {old + PrunedEvents})
                    """);
                if (left < 2 * PrunedEvents && began == TimeSpan.Zero)
                {
                    began = clock.Elapsed;
                }

                if (left == 0)
                {
                    gone = clock.Elapsed;
                }

                await Task.Delay(500, CancellationToken.None);
            }
        });
        // A new generator opens new connections: 3 s to do so before the window counts.
        var pruning = await new LoadGenerator(server.Address, AdminKey, TimeSpan.FromSeconds(3)).RunAsync(
            "(r) consume, PostgreSQL fsync on, while retention prunes 1M events", ConsumePath, Consume, options.Concurrency, options.Duration);
        var window = clock.Elapsed;
        await Task.WhenAny(watch, Task.Delay(TimeSpan.FromMinutes(2)));
        await stop.CancelAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(r) consume p99 while pruning ÷ without = {pruning.P99Ms:0.00} / {quiet.P99Ms:0.00} ms = {pruning.P99Ms / quiet.P99Ms:0.00}; " +
            $"throughput {pruning.Throughput:N0} / {quiet.Throughput:N0} req/s; the pass began {began.TotalSeconds - 3:N1} s and ended " +
            $"{gone.TotalSeconds - 3:N1} s into the {window.TotalSeconds - 3:N1} s window (-3: not seen within 2 min)"));
        return [quiet, pruning];
    }
}
