using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

/// <summary>Metadata on consume, reserve and events: kept with the usage record, listed, exported and erased with the customer.</summary>
public abstract class UsageMetadataContract(SharedServer shared) : ApiContract(shared)
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "api", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [ { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "api", "limit": 100, "reset": "month" } ] } ]
        }
        """;

    private static readonly object Seen = new { endpoint = "/v1/search", ip = "203.0.113.7", user_agent = "curl/8.5" };

    /// <summary>The class's server for one test, with the customer (c1 unless named) on it, or, with <paramref name="shared"/>, the one every case of the calling theory shares.</summary>
    private async Task<TollgateApp> AppAsync(bool shared = false, string customer = "c1", bool own = false, [CallerMemberName] string theory = "")
    {
        var settings = ApiSetup.CatalogOf("usage-metadata", Catalog);
        var app = shared ? await StartSharedAsync(settings, theory: theory) : own ? await StartOwnAsync(settings) : await StartAsync(settings);
        await app.CustomerAsync(customer);
        return app;
    }

    private static async Task<System.Text.Json.Nodes.JsonArray> EventsAsync(TollgateApp app, string customer = "c1") =>
        (await (await app.Admin.GetAsync($"/v1/events?customer={customer}")).ReadAsync())["data"]!.AsArray();

    [Fact]
    public async Task ConsumeWithMetadataIsListedWithItAndConsumeWithoutMetadataWritesNoRecord()
    {
        await using var app = await AppAsync(customer: "um-consume");

        await app.Admin.PostJsonAsync("/v1/entitlements/consume", new { customer = "um-consume", feature = "api", amount = 3, metadata = Seen });
        await app.ConsumeAsync("um-consume", "api", 5);
        var events = await EventsAsync(app, "um-consume");
        var usage = await (await app.Admin.GetAsync("/v1/customers/um-consume/usage")).ReadAsync();

        var record = Assert.Single(events)!;
        Assert.Equal(("consume", 3L, "/v1/search", "203.0.113.7", "curl/8.5"), (record["source"].Value<string>(), record["amount"].Value<long>(),
            record["metadata"]!["endpoint"].Value<string>(), record["metadata"]!["ip"].Value<string>(), record["metadata"]!["user_agent"].Value<string>()));
        Assert.Equal(8L, usage["features"]!["api"]!["used"].Value<long>());
    }

    [Fact]
    public async Task AnIdempotencyKeyRetriedWithTheSameMetadataReplaysAndWithOtherMetadataIs409()
    {
        await using var app = await AppAsync(customer: "um-retry");
        object Consume(object metadata) => new { customer = "um-retry", feature = "api", amount = 2, idempotency_key = "req-1", metadata };

        var first = await app.Admin.PostJsonAsync("/v1/entitlements/consume", Consume(Seen));
        var retried = await app.Admin.PostJsonAsync("/v1/entitlements/consume", Consume(Seen));
        var other = await app.Admin.PostJsonAsync("/v1/entitlements/consume", Consume(new { endpoint = "/v1/other" }));
        var usage = await (await app.Admin.GetAsync("/v1/customers/um-retry/usage")).ReadAsync();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict), (first.StatusCode, retried.StatusCode, other.StatusCode));
        Assert.Equal("idempotency_mismatch", (await other.ReadAsync())["error"].Value<string>());
        Assert.Equal(2L, usage["features"]!["api"]!["used"].Value<long>());
        Assert.Single(await EventsAsync(app, "um-retry"));
    }

    [Fact]
    public async Task AReservationsMetadataIsRecordedWithTheCommittedAmountAndAReleaseRecordsNothing()
    {
        await using var app = await AppAsync(customer: "um-reserve");

        var committed = await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve",
            new { customer = "um-reserve", feature = "api", amount = 10, metadata = Seen })).ReadAsync();
        var released = await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve",
            new { customer = "um-reserve", feature = "api", amount = 4, metadata = Seen })).ReadAsync();
        var commit = await app.Admin.PostJsonAsync($"/v1/reservations/{committed["id"].Value<string>()}/commit", new { amount = 7 });
        var release = await app.Admin.PostAsync($"/v1/reservations/{released["id"].Value<string>()}/release", null);
        var record = Assert.Single(await EventsAsync(app, "um-reserve"))!;

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (commit.StatusCode, release.StatusCode));
        Assert.Equal((committed["id"].Value<string>(), "reservation", 7L, "/v1/search"),
            (record["id"].Value<string>(), record["source"].Value<string>(), record["amount"].Value<long>(), record["metadata"]!["endpoint"].Value<string>()));
    }

    [Fact]
    public async Task EventMetadataIsListedAndExportedBesideItsPropertiesAndANullEventIsRejectedByItsIndex()
    {
        await using var app = await AppAsync(own: true);

        var tracked = await (await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new object[]
            {
                new { id = "e1", customer = "c1", feature = "api", amount = 2, properties = new { model = "m1" }, metadata = Seen },
                new { id = "e2", customer = "c1", feature = "api", metadata = new { ip = 5 } },
                null!,
            },
        })).ReadAsync();
        var record = Assert.Single(await EventsAsync(app))!;
        var export = await (await app.Admin.GetAsync("/v1/admin/exports/events?from=2026-01-01&to=2026-02-01&format=ndjson")).Content.ReadAsStringAsync();

        Assert.Equal(1, tracked["accepted"].Value<int>());
        Assert.Contains("metadata.ip", tracked["rejected"]![0]!["reason"].Value<string>());
        Assert.Equal((2, "must be an object"), (tracked["rejected"]![1]!["index"].Value<int>(), tracked["rejected"]![1]!["reason"].Value<string>()));
        Assert.Equal(("event", "m1", "curl/8.5"), (record["source"].Value<string>(), record["properties"]!["model"].Value<string>(),
            record["metadata"]!["user_agent"].Value<string>()));
        Assert.Contains("203.0.113.7", export);
    }

    public static TheoryData<string, string> BadMetadata => new()
    {
        { "\"metadata\": \"x\"", "metadata" },
        { "\"metadata\": [\"x\"]", "metadata" },
        { "\"metadata\": {\"ip\": 5}", "metadata.ip" },
        { "\"metadata\": {\"ip\": null}", "metadata.ip" },
        { "\"metadata\": {\"\": \"x\"}", "metadata" },
        { "\"metadata\": {" + string.Join(", ", Enumerable.Range(0, 21).Select(i => $"\"k{i}\": \"v\"")) + "}", "metadata" },
        { "\"metadata\": {\"ua\": \"" + new string('é', 2048) + "\"}", "metadata" },
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public async Task BadMetadataIsA400NamingTheFieldAndCountsNothing(string metadata, string field)
    {
        await using var app = await AppAsync(shared: true);

        foreach (var path in new[] { "/v1/entitlements/consume", "/v1/entitlements/reserve" })
        {
            var response = await app.Admin.PostAsync(path, new StringContent(
                $"{{\"customer\": \"c1\", \"feature\": \"api\", {metadata}}}", Encoding.UTF8, "application/json"));
            var problem = await response.ReadAsync();

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True(problem["errors"]?[field] is not null || problem["detail"].Value<string>()!.StartsWith(field + ":", StringComparison.Ordinal),
                problem.ToJsonString());
        }

        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();
        Assert.Equal((0L, 0L), (usage["features"]!["api"]!["used"].Value<long>(), usage["features"]!["api"]!["reserved"].Value<long>()));
        Assert.Empty(await EventsAsync(app));
    }

    [Fact]
    public async Task TwentyKeysOf4096BytesInAllAreAccepted()
    {
        await using var app = await AppAsync(customer: "um-twenty");
        var metadata = Enumerable.Range(0, 20).ToDictionary(i => $"k{i:00}", i => new string('x', (4096 / 20) - 3 + (i < 4096 % 20 ? 1 : 0)));

        var response = await app.Admin.PostJsonAsync("/v1/entitlements/consume", new { customer = "um-twenty", feature = "api", metadata });

        var kept = Assert.Single(await EventsAsync(app, "um-twenty"))!["metadata"]!.AsObject();

        Assert.Equal(4096, metadata.Sum(kv => kv.Key.Length + kv.Value.Length));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(metadata, kept.ToDictionary(kv => kv.Key, kv => kv.Value.Value<string>()!)); // every pair back, whole
    }

    [Fact]
    public async Task DeletingTheCustomerErasesUsageMetadataAndKeepsTheAmounts()
    {
        await using var app = await AppAsync();
        await app.Admin.PostJsonAsync("/v1/entitlements/consume", new { customer = "c1", feature = "api", amount = 3, metadata = Seen });
        await app.Admin.PostJsonAsync("/v1/events", new { events = new[] { new { id = "e1", customer = "c1", feature = "api", metadata = Seen } } });
        await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1", feature = "api", amount = 2, metadata = Seen });

        var deleted = await app.Admin.DeleteAsync(new Uri("/v1/customers/c1", UriKind.Relative));
        var db = app.Get<TollgateDatabase>();

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal((0L, 4L), await db.ReadAsync(c => c.QuerySingleAsync<(long, long)>(
            "SELECT COUNT(metadata_json), SUM(amount) FROM usage_events WHERE customer_id = 'c1'")));
        Assert.Equal(0L, await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(metadata_json) FROM reservations WHERE customer_id = 'c1'")));
    }
}

public sealed class SqliteUsageMetadataTests(SharedServer shared) : UsageMetadataContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresUsageMetadataTests(SharedServer shared) : UsageMetadataContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingUsageMetadataTests(SharedServer shared) : UsageMetadataContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
