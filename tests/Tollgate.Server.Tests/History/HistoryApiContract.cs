using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.History;

/// <summary>Usage over time, usage at a past instant, and the LLM call and event logs.</summary>
public abstract class HistoryApiContract(SharedServer shared) : ApiContract(shared, wholeClass: false)
{
    private static readonly DateTimeOffset LlmStart = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static List<long> Quantities(JsonNode series) => [.. series.AsArray().Select(p => p!["quantity"].Value<long>())];

    private static async Task<string> SecretKeyAsync(TollgateApp app) =>
        (await (await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "server", role = "secret" })).ReadAsync())["key"].Value<string>()!;

    [Fact]
    public async Task UsageHistoryHasEveryDayOfTheRangeWithZerosForDaysWithoutUse()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        await app.ConsumeAsync("c1", "capped", 3);
        await app.AdvanceAsync(TimeSpan.FromDays(2));
        await app.ConsumeAsync("c1", "capped", 2);

        var one = await (await app.Admin.GetAsync("/v1/customers/c1/usage/history?feature=capped&from=2026-01-14&to=2026-01-18")).ReadAsync();
        var all = await (await app.Admin.GetAsync("/v1/customers/c1/usage/history?from=2026-01-14&to=2026-01-18")).ReadAsync();

        Assert.Equal(("day", "2026-01-14", "2026-01-18"), (one["granularity"].Value<string>(), one["from"].Value<string>(), one["to"].Value<string>()));
        Assert.Equal(["2026-01-14", "2026-01-15", "2026-01-16", "2026-01-17", "2026-01-18"],
            one["features"]!["capped"]!.AsArray().Select(p => p!["period"].Value<string>()));
        Assert.Equal([0L, 3, 0, 2, 0], Quantities(one["features"]!["capped"]!));
        Assert.Equal(["capped", "rolling", "soft", "tracked"], all["features"]!.AsObject().Select(f => f.Key));
        Assert.Equal([0L, 0, 0, 0, 0], Quantities(all["features"]!["soft"]!));
    }

    [Fact]
    public async Task MonthGranularitySumsTheDaysOfEachMonth()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        await app.ConsumeAsync("c1", "capped", 3);
        await app.AdvanceAsync(TimeSpan.FromDays(2));
        await app.ConsumeAsync("c1", "capped", 2);
        await app.AdvanceToAsync(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero));
        await app.ConsumeAsync("c1", "capped", 7);

        var history = await (await app.Admin.GetAsync("/v1/customers/c1/usage/history?feature=capped&granularity=month&from=2026-01-20&to=2026-03-31"))
            .ReadAsync();

        Assert.Equal("2026-01-01", history["from"].Value<string>());
        Assert.Equal(["2026-01-01", "2026-02-01", "2026-03-01"], history["features"]!["capped"]!.AsArray().Select(p => p!["period"].Value<string>()));
        Assert.Equal([5L, 0, 7], Quantities(history["features"]!["capped"]!));
    }

    [Theory]
    [InlineData("/v1/customers/c1/usage/history?from=2026-02-01&to=2026-01-01", "to")]
    [InlineData("/v1/customers/c1/usage/history?from=2025-01-01&to=2026-01-15", "to")]
    [InlineData("/v1/customers/c1/usage/history?granularity=week", "granularity")]
    [InlineData("/v1/customers/c1/usage/history?from=soon", "from")]
    [InlineData("/v1/customers/c1/usage?at=soon", "at")]
    [InlineData("/v1/admin/usage/daily?from=2026-01-10&to=2026-01-01", "to")]
    [InlineData("/v1/customers/c1/usage/history?feature=no_such_feature", "feature")]
    [InlineData("/v1/customers/c1/usage/history?feature=bogus&granularity=month", "feature")]
    [InlineData("/v1/admin/usage/daily?feature=bogus", "feature")]
    [InlineData("/v1/llm/calls?from=2026-01-10&to=2026-01-01", "to")]
    [InlineData("/v1/llm/calls?limit=0", "limit")]
    [InlineData("/v1/events?cursor=x", "cursor")]
    [InlineData("/v1/events?customer=no%20spaces", "customer")]
    public async Task ABadRangeOrParameterIsA400NamingIt(string url, string field)
    {
        await using var app = await StartSharedAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");

        var response = await app.Admin.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.ReadAsync())["errors"]![field]);
    }

    [Fact]
    public async Task UsageAtAPastInstantShowsTheCountersOfTheWindowThatHeldIt()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        await app.ConsumeAsync("c1", "capped", 3);
        await app.AdvanceToAsync(new DateTimeOffset(2026, 2, 16, 0, 0, 0, TimeSpan.Zero));
        await app.ConsumeAsync("c1", "capped", 1);

        var january = await (await app.Admin.GetAsync("/v1/customers/c1/usage?at=2026-01-20T00:00:00Z")).ReadAsync();
        var now = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();

        Assert.Equal((3L, 97L, "2026-01-01T00:00:00Z"), (january["features"]!["capped"]!["used"].Value<long>(),
            january["features"]!["capped"]!["remaining"].Value<long>(), january["period_start"].Value<string>()));
        Assert.Equal((1L, "2026-02-01T00:00:00Z"), (now["features"]!["capped"]!["used"].Value<long>(), now["period_start"].Value<string>()));
    }

    [Fact]
    public async Task DailyTotalsSumEveryCustomerAndCountThemForAdminsOnly()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        await app.ConsumeAsync("c1", "capped", 3);
        await app.ConsumeAsync("c2", "capped", 2);
        var secret = app.WithKey(await SecretKeyAsync(app));

        var daily = await (await app.Admin.GetAsync("/v1/admin/usage/daily?feature=capped&from=2026-01-14&to=2026-01-16")).ReadAsync();
        var refused = await secret.GetAsync("/v1/admin/usage/daily");

        Assert.Equal([(0L, 0L), (5L, 2L), (0L, 0L)], daily["features"]!["capped"]!.AsArray()
            .Select(p => (p!["quantity"].Value<long>(), p["customers"].Value<long>())));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task TheCallLogShowsEachCallNewestFirstWithTokensCostPriceAndPlan()
    {
        await using var app = await StartAsync(ApiSetup.LlmCatalog(), LlmStart);
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            calls = new object[]
            {
                new { customer = "c1", feature = "chat", model = "gpt-4o-2024-08-06", input_tokens = 1000, output_tokens = 500, request_id = "r-old",
                    timestamp = "2026-03-10T10:00:00Z", metadata = new { conversation = "k1" } },
                new { customer = "c1", feature = "chat", model = "gpt-4o-mini", input_tokens = 10, output_tokens = 5, request_id = "r-new",
                    timestamp = "2026-03-10T11:00:00Z" },
                new { customer = "c2", model = "gpt-4o-mini", input_tokens = 1, output_tokens = 1, request_id = "r-other", timestamp = "2026-03-10T11:30:00Z" },
            },
        });

        var c1 = await app.Admin.PageAsync("/v1/llm/calls?customer=c1");
        var all = await app.Admin.PageAsync("/v1/llm/calls");
        var byModel = await app.Admin.PageAsync("/v1/llm/calls?model=gpt-4o-mini&from=2026-03-10T10:30:00Z&to=2026-03-10T11:10:00Z");
        var old = c1[1]!;

        Assert.Equal(["r-new", "r-old"], c1.Select(c => c!["request_id"].Value<string>()));
        Assert.Equal(["r-other", "r-new", "r-old"], all.Select(c => c!["request_id"].Value<string>()));
        Assert.Equal(["r-new"], byModel.Select(c => c!["request_id"].Value<string>()));
        Assert.Equal((1000L, 500L, 0.0075m, 7_500_000L, "free", "k1"), (old["tokens"]!["input"].Value<long>(), old["tokens"]!["output"].Value<long>(),
            old["cost_usd"].Value<decimal>(), old["cost_nano_usd"].Value<long>(), old["plan"].Value<string>(), old["metadata"]!["conversation"].Value<string>()));
        Assert.False(string.IsNullOrEmpty(old["price_id"].Value<string>()));
        Assert.False(string.IsNullOrEmpty(old["plan_version_id"].Value<string>()));
    }

    [Fact]
    public async Task ASecretKeyReadsTheLogsOfOneNamedCustomerAndAnAdminKeyReadsAll()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        var secret = app.WithKey(await SecretKeyAsync(app));

        var calls = await secret.GetAsync("/v1/llm/calls");
        var events = await secret.GetAsync("/v1/events");
        var named = await secret.GetAsync("/v1/llm/calls?customer=c1");
        var admin = await app.Admin.GetAsync("/v1/events");

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (calls.StatusCode, events.StatusCode));
        Assert.NotNull((await calls.ReadAsync())["errors"]!["customer"]);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (named.StatusCode, admin.StatusCode));
    }

    [Fact]
    public async Task EventsComeNewestFirstWithTheirPropertiesAndPageWithoutRepeats()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new object[]
            {
                new { id = "e1", customer = "c1", feature = "tracked", amount = 4, timestamp = "2026-01-15T10:00:00Z", properties = new { rows = 4 } },
                new { id = "e2", customer = "c1", feature = "tracked", amount = 1, timestamp = "2026-01-15T11:00:00Z" },
                new { id = "e3", customer = "c1", feature = "capped", amount = 1, timestamp = "2026-01-15T11:00:00Z" },
                new { id = "e4", customer = "c2", feature = "tracked", amount = 1, timestamp = "2026-01-15T11:00:00Z" },
            },
        });

        var c1 = await app.Admin.PageAsync("/v1/events?customer=c1&feature=tracked");
        var walked = await app.Admin.ReadAllAsync("/v1/events?from=2026-01-15T00:00:00Z&to=2026-01-16T00:00:00Z", limit: 1);
        var oldest = c1[^1]!;

        Assert.Equal(["e2", "e1"], c1.Select(e => e!["id"].Value<string>()));
        Assert.Equal((4L, "2026-01-15T10:00:00Z", 4), (oldest["amount"].Value<long>(), oldest["timestamp"].Value<string>(),
            oldest["properties"]!["rows"].Value<int>()));
        Assert.Equal(["e1", "e2", "e3", "e4"], walked.Select(e => e!["id"].Value<string>()).Order(StringComparer.Ordinal));
        Assert.Equal("e1", walked[^1]!["id"].Value<string>());
    }
}

public sealed class SqliteHistoryApiTests(SharedServer shared) : HistoryApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresHistoryApiTests(SharedServer shared) : HistoryApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingHistoryApiTests(SharedServer shared) : HistoryApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
