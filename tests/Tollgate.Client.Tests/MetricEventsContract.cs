using System.Net.Http.Headers;
using Tollgate.Client;
using Tollgate.Contracts;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>The .NET SDK's events.track against a real server: events with properties feed the catalog's metrics.</summary>
public abstract class MetricEventsContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "tokens", "name": "Tokens", "kind": "metered" } ],
          "metrics": [ { "code": "llm_tokens", "name": "Tokens", "event": "llm_call", "aggregation": "sum", "property": "tokens", "group_by": ["model"] } ],
          "plans": [ { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
            "features": [ { "feature_code": "tokens", "limit": 100000, "metric": "llm_tokens" } ] } ]
        }
        """;

    protected abstract StoreKind Kind { get; }

    [Fact]
    public async Task TrackedEventsWithPropertiesAreSummedPerModelAndAResentIdCountsOnce()
    {
        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.CatalogOf("client-metrics", Catalog), kestrel: true);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        var client = new TollgateClient(http);
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());

        var one = await client.Events.TrackAsync("c1", "llm_call", new Dictionary<string, object> { ["model"] = "gpt-4o", ["tokens"] = 1000 }, id: "t1");
        var batch = await client.Events.TrackAsync([
            EventsResource.Event("c1", "llm_call", new Dictionary<string, object> { ["model"] = "gpt-4o", ["tokens"] = 500 }),
            EventsResource.Event("c1", "llm_call", new Dictionary<string, object> { ["model"] = "mini", ["tokens"] = 200 }),
            EventsResource.Event("c1", "llm_call", new Dictionary<string, object> { ["model"] = "gpt-4o", ["tokens"] = 1000 }, id: "t1")]);
        var usage = (await client.Usage.GetAsync("c1")).Features["tokens"];

        Assert.Equal((1, 2, "t1"), (one.Accepted, batch.Accepted, batch.Duplicates.Single()));
        Assert.Equal(1700, usage.Used);
        Assert.Equal([("gpt-4o", 1500L), ("mini", 200L)],
            usage.Groups!.Select(g => (g.Group.GetProperty("model").GetString(), g.Used)).OrderBy(g => g.Item1, StringComparer.Ordinal));
    }
}

public sealed class SqliteMetricEventsTests : MetricEventsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresMetricEventsTests : MetricEventsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
