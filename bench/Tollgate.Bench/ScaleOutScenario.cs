using System.Globalization;

namespace Tollgate.Bench;

/// <summary>
/// Scale-out (issue 11): consume through one node, then the same total concurrency spread over three nodes sharing the
/// one durable PostgreSQL cluster. On one machine the three nodes share its cores with the database and the load, so
/// the ratio shows whether nodes collapse against each other (row locks, context checks), not what more machines add.
/// </summary>
public sealed partial class Scenarios
{
    private async Task<IReadOnlyList<LoadResult>> ScaleOutAsync()
    {
        await using var cluster = await DurableCluster.StartAsync();
        await cluster.CreateDatabaseAsync("tollgate");
        var database = cluster.ConnectionString("tollgate");
        var nodes = new List<ChildProcess>();
        try
        {
            nodes.Add(await StartTollgateAsync("postgres", database, Catalog));
            var oneCpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), new HashSet<int> { nodes[0].Pid });
            var one = await new LoadGenerator(nodes[0].Address, AdminKey, options.Warmup).RunAsync(
                "(h) consume, 1 node, PostgreSQL fsync on", ConsumePath, Consume, options.Concurrency, options.Duration);
            nodes.Add(await StartTollgateAsync("postgres", database, Catalog));
            nodes.Add(await StartTollgateAsync("postgres", database, Catalog));
            var threeCpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), nodes.Select(n => n.Pid).ToHashSet());
            // Each node gets a third of the connections; together they run the same concurrency as the single node.
            // Each node starts on its own third of the customers, so nodes contend for rows no more than one node's
            // connections do.
            var parts = await Task.WhenAll(nodes.Select((node, i) => new LoadGenerator(node.Address, AdminKey, options.Warmup).RunAsync(
                "(h) node", ConsumePath, s => Consume(s + (i * Customers / 3)), options.Concurrency / 3 + (i < options.Concurrency % 3 ? 1 : 0),
                options.Duration)));
            var three = new LoadResult("(h) consume, 3 nodes, PostgreSQL fsync on (p50/p99: the worst node's)", options.Concurrency,
                parts.Max(p => p.Seconds), parts.Sum(p => p.Requests), parts.Sum(p => p.Errors), parts.Max(p => p.P50Ms), parts.Max(p => p.P99Ms), null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"(h) 3 nodes ÷ 1 node = {three.Throughput:N0} / {one.Throughput:N0} = {three.Throughput / one.Throughput:0.00}"));
            Console.WriteLine($"(h) 1 node, {(await oneCpu).Describe(one.Throughput)}");
            Console.WriteLine($"(h) 3 nodes, {(await threeCpu).Describe(three.Throughput)}");
            return [one, three];
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
