using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tollgate.Bench;

/// <summary>Events with properties (billable metrics): ingestion 500 per request, and reading a metric's usage over 1,000,000 events.</summary>
public sealed partial class Scenarios
{
    private const int UsageEvents = 1_000_000;
    private const string MetricCatalog = """
        { "default_plan": "free",
          "features": [ { "code": "tokens", "name": "Tokens", "unit": "tokens", "kind": "metered" } ],
          "metrics": [ { "code": "llm_tokens", "name": "Tokens", "event": "llm_call", "aggregation": "sum", "property": "tokens", "group_by": ["model"] } ],
          "plans": [ { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
            "features": [ { "feature_code": "tokens", "limit": null, "metric": "llm_tokens" } ] } ] }
        """;

    /// <summary>500 events of one customer (batch n), ids unique per batch, four models.</summary>
    private static string MetricBatch(int n, string? customer = null)
    {
        var who = customer ?? $"bench-{n % Customers}";
        return EventsBody(i => $"{{\"id\":\"m{n}-{i}\",\"customer\":\"{who}\",\"event\":\"llm_call\",\"properties\":{{\"model\":\"{Models[i % 4]}\",\"tokens\":{100 + i}}}}}");
    }

    /// <summary>500 plain usage events (a feature and an amount, no properties) of one customer (batch n), ids unique per batch.</summary>
    private static string TrackedBatch(int n) =>
        EventsBody(i => $"{{\"id\":\"t{n}-{i}\",\"customer\":\"bench-{n % Customers}\",\"feature\":\"api_calls\",\"amount\":1}}");

    // One event for each of 500 customers in turn: every event is a run of its own, so it pays what a run pays once.
    private static string MixedBatch(int n) =>
        EventsBody(i => $"{{\"id\":\"m{n}-{i}\",\"customer\":\"bench-{(n * BatchSize + i) % Customers}\",\"feature\":\"api_calls\",\"amount\":1}}");

    /// <summary>A POST /v1/events body of <see cref="BatchSize"/> events, the i-th written by <paramref name="item"/>.</summary>
    private static string EventsBody(Func<int, FormattableString> item)
    {
        var body = new StringBuilder("{\"events\":[");
        for (var i = 0; i < BatchSize; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(item(i).ToString(CultureInfo.InvariantCulture));
        }

        return body.Append("]}").ToString();
    }

    private async Task<IReadOnlyList<LoadResult>> MetricIngestAsync(string store, string provider, string connectionString)
    {
        await using var server = await StartTollgateAsync(provider, connectionString, MetricCatalog);
        var load = new LoadGenerator(server.Address, AdminKey, options.Warmup);
        var cpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), new HashSet<int> { server.Pid });
        var batched = await load.RunAsync($"(metrics) {BatchSize} property events per request, {store}", "v1/events", n => MetricBatch(n),
            options.BatchConcurrency, options.Duration, unique: true);
        Console.WriteLine($"(metrics) {BatchSize} per request, {store}, per event: {(await cpu).Describe(batched.Throughput * BatchSize)}");
        return [batched with { ItemsPerRequest = BatchSize }];
    }

    /// <summary>
    /// (events) Plain usage events ("track, not gate"), 500 per request: each is kept under its id and counted. One
    /// customer's a request, or with <paramref name="mixed"/> one event for each of 500 customers.
    /// </summary>
    private async Task<IReadOnlyList<LoadResult>> TrackedIngestAsync(string store, string provider, string connectionString, bool mixed = false)
    {
        await using var server = await StartTollgateAsync(provider, connectionString, Catalog);
        var load = new LoadGenerator(server.Address, AdminKey, options.Warmup);
        var cpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), new HashSet<int> { server.Pid });
        var batched = await load.RunAsync($"(events) {BatchSize} usage events {(mixed ? "of as many customers " : "")}per request, {store}", "v1/events",
            mixed ? MixedBatch : TrackedBatch, options.BatchConcurrency, options.Duration, unique: true);
        Console.WriteLine($"(events) {BatchSize} per request, {store}, per event: {(await cpu).Describe(batched.Throughput * BatchSize)}");
        return [batched with { ItemsPerRequest = BatchSize }];
    }

    /// <summary>Sends 1,000,000 events of one customer through the API (8 requests at a time), then times reading its usage.</summary>
    private async Task<IReadOnlyList<LoadResult>> MetricUsageAsync(string path)
    {
        await using var server = await StartTollgateAsync("sqlite", path, MetricCatalog);
        using var admin = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        var seeding = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var n = Interlocked.Increment(ref next); n < UsageEvents / BatchSize; n = Interlocked.Increment(ref next))
            {
                using var response = await admin.PostAsync(new Uri("v1/events", UriKind.Relative),
                    new StringContent(MetricBatch(n, "bench-7"), Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
            }
        }));
        Console.WriteLine($"metrics-usage: sent {UsageEvents:N0} events in {seeding.Elapsed.TotalSeconds:N0} s");
        return [await TimeGetAsync(admin, $"(metrics-usage) usage of a sum metric grouped by model over {UsageEvents:N0} events", "v1/customers/bench-7/usage")];
    }
}
