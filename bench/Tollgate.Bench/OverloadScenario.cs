using System.Globalization;
using System.Text.Json.Nodes;

namespace Tollgate.Bench;

/// <summary>Consume against the same server's own /healthz, and consume at ten times the connections its queue admits.</summary>
public sealed partial class Scenarios
{
    /// <summary>(f) One SQLite server: /healthz (the HTTP floor: routing, no auth, no JSON body), then consume, one after the other.</summary>
    private async Task<IReadOnlyList<LoadResult>> HealthzRatioAsync()
    {
        await using var server = await StartTollgateAsync("sqlite", Path.Combine(_dir, "tollgate-f.db"), Catalog);
        var load = new LoadGenerator(server.Address, AdminKey, options.Warmup);
        var pids = new HashSet<int> { server.Pid };
        var healthzCpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), pids);
        var healthz = await load.RunAsync("(f) /healthz, same server", "healthz", Consume, options.Concurrency, options.Duration, method: "GET");
        var consumeCpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), pids);
        var consume = await load.RunAsync("(f) consume, SQLite", ConsumePath, Consume, options.Concurrency, options.Duration);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(f) consume ÷ /healthz = {consume.Throughput:N0} / {healthz.Throughput:N0} = {consume.Throughput / healthz.Throughput:0.00}"));
        Console.WriteLine($"(f) /healthz, {(await healthzCpu).Describe(healthz.Throughput)}");
        Console.WriteLine($"(f) consume, {(await consumeCpu).Describe(consume.Throughput)}");
        return [healthz, consume];
    }

    /// <summary>
    /// (g) The queue admits --concurrency operations; ten times as many connections consume in a closed loop for the
    /// duration. Prints the server's peak memory and checks that the counters hold exactly the 2xx answers.
    /// </summary>
    private async Task<IReadOnlyList<LoadResult>> OverloadAsync()
    {
        options.ServerEnv.TryGetValue("Tollgate__Database__Provider", out var provider);
        var env = new Dictionary<string, string>(options.ServerEnv) { ["Tollgate__Database__QueueCapacity"] = $"{options.Concurrency}" };
        await using var server = await StartTollgateAsync(provider ?? "sqlite",
            provider == "postgres" ? await Testing.PostgresServer.CreateDatabaseAsync() : Path.Combine(_dir, "tollgate-g.db"), Catalog, env: env);
        var load = new LoadGenerator(server.Address, AdminKey, options.Warmup);
        var result = await load.RunAsync($"(g) consume at 10× the queue's {options.Concurrency}", ConsumePath, Consume, options.Concurrency * 10,
            options.Duration);
        using var admin = new HttpClient { BaseAddress = server.Address };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        long counted = 0;
        for (var i = 0; i < Customers; i++)
        {
            var usage = JsonNode.Parse(await admin.GetStringAsync(new Uri($"v1/customers/bench-{i}/usage", UriKind.Relative)));
            counted += usage?["features"]?["api_calls"]?["used"]?.GetValue<long>() ?? 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(g) peak server memory {server.PeakMemoryBytes / 1048576.0:N0} MB; 2xx answered {load.Succeeded:N0}, counted {counted:N0}; " +
            $"non-2xx {result.Errors:N0} in the measured {options.Duration.TotalSeconds:0} s"));
        return [result];
    }
}
