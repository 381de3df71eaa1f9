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

    /// <summary>(b-pair, c-pair) After a warm-up of both features, <see cref="PairRounds"/> rounds of one run each, alternating which goes first.</summary>
    private async Task<IReadOnlyList<LoadResult>> RatePairAsync(string label, string provider, string connectionString)
    {
        await using var server = await StartTollgateAsync(provider, connectionString, PairCatalog);
        var warm = new LoadGenerator(server.Address, AdminKey, options.Warmup);
        await warm.RunAsync("warm-up", ConsumePath, Consume, options.Concurrency, TimeSpan.FromSeconds(1));
        await warm.RunAsync("warm-up", ConsumePath, RatedConsume, options.Concurrency, TimeSpan.FromSeconds(1));

        var load = new LoadGenerator(server.Address, AdminKey, TimeSpan.FromSeconds(1));
        var plain = new List<LoadResult>();
        var rated = new List<LoadResult>();
        for (var round = 0; round < PairRounds; round++)
        {
            async Task Plain() => plain.Add(await load.RunAsync($"{label} consume", ConsumePath, Consume, options.Concurrency, options.Duration));
            async Task Rated() => rated.Add(await load.RunAsync($"{label} consume, rate-limited feature", ConsumePath, RatedConsume,
                options.Concurrency, options.Duration));
            if (round % 2 == 0)
            {
                await Plain();
                await Rated();
            }
            else
            {
                await Rated();
                await Plain();
            }
        }

        static double Rate(List<LoadResult> runs) => runs.Sum(r => r.Requests) / runs.Sum(r => r.Seconds);
        var ratios = plain.Zip(rated, (p, r) => r.Throughput / p.Throughput).Order().ToArray();
        var median = (ratios[(ratios.Length - 1) / 2] + ratios[ratios.Length / 2]) / 2;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label} rate-limited ÷ plain over {PairRounds} alternating rounds: {Rate(rated):N0} / {Rate(plain):N0} = {Rate(rated) / Rate(plain):0.000}; " +
            $"median round {median:0.000}, rounds from {ratios[0]:0.000} to {ratios[^1]:0.000}"));
        return [.. plain.Zip(rated, (p, r) => new[] { p, r }).SelectMany(x => x)];
    }
}
