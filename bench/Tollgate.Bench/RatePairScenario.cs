using System.Globalization;

namespace Tollgate.Bench;

/// <summary>
/// What deciding a rate limit costs (issue 12), measured in pairs on one server: two features alike but for a rate limit
/// too high ever to refuse, consumed in alternating short runs, so the drift of a shared machine falls on both sides.
/// Two servers run one after the other differed by ±15 % on this machine with the same build.
/// </summary>
public sealed partial class Scenarios
{
    private const int PairRounds = 6;

    private const string PairCatalog = """
        { "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" },
                        { "code": "api_rated", "name": "Rated API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [ { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
            "features": [ { "feature_code": "api_calls", "monthly_quota": 1000000000000 },
                          { "feature_code": "api_rated", "monthly_quota": 1000000000000,
                            "rate_limit": { "limit": 1000000000, "per": "second" } } ] } ] }
        """;

    private static string RatedConsume(int sequence) => $"{{\"customer\":\"bench-{sequence % Customers}\",\"feature\":\"api_rated\",\"amount\":1}}";

    /// <summary>(b-pair, c-pair) The rate-limited feature against the plain one.</summary>
    private async Task<IReadOnlyList<LoadResult>> RatePairAsync(string label, string provider, string connectionString)
    {
        await using var server = await StartTollgateAsync(provider, connectionString, PairCatalog);
        return await PairAsync(server, label, ("consume", Consume), ("consume, rate-limited feature", RatedConsume), "rate-limited ÷ plain");
    }

    /// <summary>
    /// After a warm-up of both sides, <see cref="PairRounds"/> rounds of one run each on <paramref name="server"/>,
    /// alternating which goes first; prints <paramref name="b"/>'s throughput over <paramref name="a"/>'s.
    /// </summary>
    private async Task<IReadOnlyList<LoadResult>> PairAsync(ChildProcess server, string label, (string Name, Func<int, string> Body) a,
        (string Name, Func<int, string> Body) b, string ratio)
    {
        var warm = new LoadGenerator(server.Address, AdminKey, options.Warmup);
        await warm.RunAsync("warm-up", ConsumePath, a.Body, options.Concurrency, TimeSpan.FromSeconds(1));
        await warm.RunAsync("warm-up", ConsumePath, b.Body, options.Concurrency, TimeSpan.FromSeconds(1));

        var load = new LoadGenerator(server.Address, AdminKey, TimeSpan.FromSeconds(1));
        var first = new List<LoadResult>();
        var second = new List<LoadResult>();
        var firstCpu = new List<double>();
        var secondCpu = new List<double>();
        var serverPids = new HashSet<int> { server.Pid };
        // CPU per request (Tollgate and PostgreSQL together) over each run after its 1 s warm-up: on a shared machine
        // throughput drifts with what else runs, where the CPU a request costs moves far less.
        async Task Run(string name, Func<int, string> body, List<LoadResult> runs, List<double> cpus)
        {
            var cpu = CpuSampler.SampleAsync(TimeSpan.FromSeconds(1.2), options.Duration - TimeSpan.FromSeconds(0.5), serverPids);
            var run = await load.RunAsync($"{label} {name}", ConsumePath, body, options.Concurrency, options.Duration);
            var profile = await cpu;
            runs.Add(run);
            cpus.Add((profile.Cores.GetValueOrDefault("tollgate") + profile.Cores.GetValueOrDefault("postgres")) * 1000 / run.Throughput);
        }

        for (var round = 0; round < PairRounds; round++)
        {
            Task A() => Run(a.Name, a.Body, first, firstCpu);
            Task B() => Run(b.Name, b.Body, second, secondCpu);
            if (round % 2 == 0)
            {
                await A();
                await B();
            }
            else
            {
                await B();
                await A();
            }
        }

        static double Rate(List<LoadResult> runs) => runs.Sum(r => r.Requests) / runs.Sum(r => r.Seconds);
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
        }

        var ratios = first.Zip(second, (x, y) => y.Throughput / x.Throughput).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label} {ratio} over {PairRounds} alternating rounds: {Rate(second):N0} / {Rate(first):N0} = {Rate(second) / Rate(first):0.000}; " +
            $"median round {Median(ratios):0.000}, rounds from {ratios[0]:0.000} to {ratios[^1]:0.000}"));
        var cpuRatios = firstCpu.Zip(secondCpu, (x, y) => y / x).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label} CPU per request, Tollgate and PostgreSQL: {a.Name} median {Median(firstCpu):0.000} ms, {b.Name} median {Median(secondCpu):0.000} ms; " +
            $"{b.Name} ÷ {a.Name} median round {Median(cpuRatios):0.000}, rounds from {cpuRatios[0]:0.000} to {cpuRatios[^1]:0.000}"));
        return [.. first.Zip(second, (x, y) => new[] { x, y }).SelectMany(x => x)];
    }
}
