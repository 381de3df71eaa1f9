using System.Globalization;

namespace Tollgate.Bench;

/// <summary>
/// Throughput and latency of the consume path against its ceiling and against the seeds' approach, of LLM call
/// ingestion, and of the revenue-against-cost report over a large call history.
/// <c>dotnet run -c Release --project bench/Tollgate.Bench -- [--duration 10] [--concurrency 32] [--warmup 30] [--only a,b,b-rate,b-pair,c,c-rate,c-pair,c-llm,b-llm,c-team,d,e,f,g,h,llm,llm-pg,llm-stats,export,events,events-pg,events-mixed,events-mixed-pg,events-team,events-team-pg,metrics,metrics-pg]</c>
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["bare", var port]:
                await BareServer.RunAsync(int.Parse(port, CultureInfo.InvariantCulture));
                return 0;
            case ["naive", var port, var path, var customers, var rows]:
                await NaiveServer.RunAsync(int.Parse(port, CultureInfo.InvariantCulture), path,
                    int.Parse(customers, CultureInfo.InvariantCulture), long.Parse(rows, CultureInfo.InvariantCulture));
                return 0;
        }

        var options = BenchOptions.Parse(args);
        var scenarios = new Scenarios(options);
        var results = new List<LoadResult>();
        foreach (var scenario in options.Only)
        {
            results.AddRange(await scenarios.RunAsync(scenario));
        }

        Console.WriteLine();
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load generator on the same machine.");
        Console.WriteLine($"Closed loop at {options.Concurrency} concurrent requests for {options.Duration.TotalSeconds:0} s after a {options.Warmup.TotalSeconds:0} s warm-up; " +
            "'half load' runs open loop at half the closed-loop throughput.");
        Console.WriteLine();
        Console.WriteLine("| scenario | load | requests/s | items/s | p50 ms | p99 ms | non-2xx |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var load = r.TargetRate is { } rate ? $"{rate:N0}/s (half)" : $"{r.Concurrency} concurrent";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {load} | {r.Throughput:N0} | {r.Throughput * r.ItemsPerRequest:N0} | {r.P50Ms:0.00} | {r.P99Ms:0.00} | {r.Errors} |"));
        }

        return 0;
    }
}

public sealed record BenchOptions(
    TimeSpan Duration, int Concurrency, IReadOnlyList<string> Only, IReadOnlyList<long> NaiveRows, long LlmCalls, int BatchConcurrency, IReadOnlyDictionary<string, string> ServerEnv,
    TimeSpan Warmup)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        return new BenchOptions(
            TimeSpan.FromSeconds(double.Parse(Value("--duration") ?? "10", CultureInfo.InvariantCulture)),
            int.Parse(Value("--concurrency") ?? "32", CultureInfo.InvariantCulture),
            (Value("--only") ?? "a,b,c,d").Split(','),
            [.. (Value("--naive-rows") ?? "10000,1000000").Split(',').Select(r => long.Parse(r, CultureInfo.InvariantCulture))],
            long.Parse(Value("--llm-calls") ?? "10000000", CultureInfo.InvariantCulture),
            int.Parse(Value("--batch-concurrency") ?? "8", CultureInfo.InvariantCulture),
            (Value("--server-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2))
                .ToDictionary(kv => kv[0], kv => kv[1]),
            TimeSpan.FromSeconds(double.Parse(Value("--warmup") ?? "30", CultureInfo.InvariantCulture)));
    }
}
