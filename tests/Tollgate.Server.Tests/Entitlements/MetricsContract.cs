using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

/// <summary>
/// Billable metrics over event properties, through the HTTP API: the worked examples (1, 2, 4, 5) exactly, gating
/// on a metric, refusals that name the path and write nothing, and de-duplication under concurrency.
/// </summary>
public abstract class MetricsContract(SharedServer shared) : ApiContract(shared)
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [
            { "code": "users", "name": "Active users", "kind": "metered" },
            { "code": "tokens", "name": "Tokens", "kind": "metered" },
            { "code": "eu_requests", "name": "EU requests", "kind": "metered" },
            { "code": "seats", "name": "Seats", "kind": "metered" },
            { "code": "storage", "name": "Storage", "kind": "metered" }
          ],
          "metrics": [
            { "code": "active_users", "name": "Active users", "event": "session", "aggregation": "unique_count", "property": "user" },
            { "code": "llm_tokens", "name": "Tokens", "event": "llm_call", "aggregation": "sum", "property": "tokens", "group_by": ["model"] },
            { "code": "eu_calls", "name": "EU requests", "event": "request", "aggregation": "count", "filters": { "region": ["eu"] } },
            { "code": "seat_count", "name": "Seats", "event": "seats_changed", "aggregation": "latest", "property": "seats" },
            { "code": "peak_gb", "name": "Peak storage", "event": "storage", "aggregation": "max", "property": "gb" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "users", "limit": 5, "metric": "active_users" },
                { "feature_code": "tokens", "limit": 1000000, "metric": "llm_tokens" },
                { "feature_code": "eu_requests", "limit": 100, "metric": "eu_calls" },
                { "feature_code": "seats", "limit": 100, "metric": "seat_count" },
                { "feature_code": "storage", "limit": 100, "hard_cap": false, "overage_unit_price_cents": 10, "metric": "peak_gb" } ] },
            { "code": "pro", "name": "Pro", "prices": [ { "billing_period": "monthly", "price_cents": 2000 } ],
              "features": [
                { "feature_code": "tokens", "limit": 1000, "hard_cap": false, "overage_package": { "size": 1000, "price_cents": 500 },
                  "metric": "llm_tokens" } ] },
            { "code": "tiered", "name": "Tiered", "prices": [ { "billing_period": "monthly", "price_cents": 1000 } ],
              "features": [
                { "feature_code": "tokens", "limit": 1000, "hard_cap": false, "metric": "llm_tokens",
                  "overage_tiers": [ { "up_to": 1000, "unit_price_cents": 1, "per_units": 100 },
                                     { "up_to": null, "unit_price_cents": 1, "per_units": 300, "flat_cents": 50 } ] } ] }
          ]
        }
        """;

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("metrics", Catalog));

    private static Task<HttpResponseMessage> TrackAsync(TollgateApp app, params object[] events) =>
        app.Admin.PostJsonAsync("/v1/events", new { events });

    private static object Event(string id, string name, object properties, string customer = "c1") =>
        new { id, customer, @event = name, properties };

    private static async Task<JsonNode> UsageAsync(TollgateApp app, string feature, string customer = "c1") =>
        (await (await app.Admin.GetAsync($"/v1/customers/{customer}/usage")).ReadAsync())["features"]![feature]!;

    [Fact]
    public async Task UniqueCountOfUsersCountsU1U2U1U3AsThree()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-unique");

        var response = await TrackAsync(app, Event("e1", "session", new { user = "u1" }, customer: "m-unique"), Event("e2", "session", new { user = "u2" }, customer: "m-unique"),
            Event("e3", "session", new { user = "u1" }, customer: "m-unique"), Event("e4", "session", new { user = "u3" }, customer: "m-unique"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, (await response.ReadAsync())["accepted"].Value<int>());
        Assert.Equal(3, (await UsageAsync(app, "users", "m-unique"))["used"].Value<long>());
    }

    [Fact]
    public async Task SumOfTokensGroupedByModelShowsEachGroupAndTheirTotal()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-sum");

        await TrackAsync(app, Event("t1", "llm_call", new { model = "gpt-4o", tokens = 1000 }, customer: "m-sum"), Event("t2", "llm_call", new { model = "gpt-4o", tokens = 500 }, customer: "m-sum"),
            Event("t3", "llm_call", new { model = "mini", tokens = 200 }, customer: "m-sum"));
        var usage = await UsageAsync(app, "tokens", "m-sum");

        Assert.Equal(1700, usage["used"].Value<long>());
        var groups = usage["groups"]!.AsArray().Select(g => (g!["group"]!["model"].Value<string>(), g["used"].Value<long>())).OrderBy(g => g.Item1);
        Assert.Equal([("gpt-4o", 1500L), ("mini", 200L)], groups);
        Assert.Null((await UsageAsync(app, "users", "m-sum"))["groups"]);
        var history = await (await app.Admin.GetAsync("/v1/customers/m-sum/usage/history?feature=tokens&from=2026-01-15&to=2026-01-15")).ReadAsync();
        Assert.Equal(1700, history["features"]!["tokens"]![0]!["quantity"].Value<long>());
    }

    [Fact]
    public async Task ABatchCountsAsItsEventsSentOneByOneWould()
    {
        // A batch is folded in memory before it is written: its repeats, earlier timestamps and values seen before must
        // come out as they would one request per event.
        await using var app = await AppAsync();
        await app.CustomerAsync("m-batch");
        await app.CustomerAsync("m-batch-2");
        var now = app.Clock.GetUtcNow();
        await TrackAsync(app, Event("u0", "session", new { user = "u2" }, customer: "m-batch"));

        var response = await (await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new object[]
            {
                Event("u1", "session", new { user = "u1" }, customer: "m-batch"), Event("u2", "session", new { user = "u2" }, customer: "m-batch"), Event("u1", "session", new { user = "u9" }, customer: "m-batch"),
                Event("u3", "session", new { user = "u3" }, customer: "m-batch"), Event("x1", "session", new { user = "u1" }, customer: "m-batch-2"),
                new { id = "a", customer = "m-batch", @event = "seats_changed", timestamp = now.AddMinutes(-1), properties = new { seats = 6 } },
                new { id = "b", customer = "m-batch", @event = "seats_changed", timestamp = now.AddMinutes(-2), properties = new { seats = 9 } },
                new { id = "c", customer = "m-batch", @event = "seats_changed", timestamp = now.AddMinutes(-1), properties = new { seats = 4 } },
                Event("g1", "storage", new { gb = 3 }, customer: "m-batch"), Event("g2", "storage", new { gb = 7 }, customer: "m-batch"), Event("g3", "storage", new { gb = 5 }, customer: "m-batch"),
            },
        })).ReadAsync();

        Assert.Equal(10, response["accepted"].Value<int>());
        Assert.Equal(["u1"], response["duplicates"]!.AsArray().Select(d => d.Value<string>()));
        Assert.Equal(3, (await UsageAsync(app, "users", "m-batch"))["used"].Value<long>()); // u2 before; u1 and u3 now; u9 was a repeated id
        Assert.Equal(1, (await UsageAsync(app, "users", "m-batch-2"))["used"].Value<long>());
        Assert.Equal(4, (await UsageAsync(app, "seats", "m-batch"))["used"].Value<long>()); // the latest timestamp, the later of a tie
        Assert.Equal(7, (await UsageAsync(app, "storage", "m-batch"))["used"].Value<long>());
        var history = await (await app.Admin.GetAsync("/v1/customers/m-batch/usage/history?feature=users&from=2026-01-15&to=2026-01-15")).ReadAsync();
        Assert.Equal(3, history["features"]!["users"]![0]!["quantity"].Value<long>());
    }

    [Fact]
    public async Task AUserCountedInAnEarlierBatchAddsNothingOnItsDayAndANewOneAddsOnTheDayOfItsEvent()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-earlier");
        var today = app.Clock.GetUtcNow();
        var yesterday = today.AddDays(-1);
        await TrackAsync(app, new { id = "a0", customer = "m-earlier", @event = "session", timestamp = yesterday, properties = new { user = "a" } });

        await TrackAsync(app, new { id = "a1", customer = "m-earlier", @event = "session", timestamp = yesterday, properties = new { user = "a" } },
            new { id = "b1", customer = "m-earlier", @event = "session", timestamp = today, properties = new { user = "b" } });
        var history = await (await app.Admin.GetAsync(
            $"/v1/customers/m-earlier/usage/history?feature=users&from={yesterday:yyyy-MM-dd}&to={today:yyyy-MM-dd}")).ReadAsync();

        Assert.Equal([1L, 1L], history["features"]!["users"]!.AsArray().Select(d => d!["quantity"].Value<long>()));
        Assert.Equal(2, (await UsageAsync(app, "users", "m-earlier"))["used"].Value<long>());
    }

    [Fact]
    public async Task CountFilteredToTheEuRegionCountsEuUsEuAsTwo()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-eu");

        await TrackAsync(app, Event("r1", "request", new { region = "eu" }, customer: "m-eu"), Event("r2", "request", new { region = "us" }, customer: "m-eu"),
            Event("r3", "request", new { region = "eu" }, customer: "m-eu"));

        Assert.Equal(2, (await UsageAsync(app, "eu_requests", "m-eu"))["used"].Value<long>());
    }

    [Fact]
    public async Task LatestOfSeatsSentAsFourThenSixThenFiveIsFive()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-latest");

        foreach (var (id, seats) in new[] { ("s1", 4), ("s2", 6), ("s3", 5) })
        {
            await TrackAsync(app, Event(id, "seats_changed", new { seats }, customer: "m-latest"));
        }

        Assert.Equal(5, (await UsageAsync(app, "seats", "m-latest"))["used"].Value<long>());
    }

    [Fact]
    public async Task MaxOfGbIsThePeakAndOverageIsWhatThePeakPassesTheLimit()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-max");

        await TrackAsync(app, Event("g1", "storage", new { gb = 30 }, customer: "m-max"), Event("g2", "storage", new { gb = 170 }, customer: "m-max"), Event("g3", "storage", new { gb = 50 }, customer: "m-max"));
        var usage = await UsageAsync(app, "storage", "m-max");

        Assert.Equal((170L, 70L), (usage["used"].Value<long>(), usage["overage"].Value<long>()));
    }

    [Fact]
    public async Task OverageIsSplitByTheGroupsThatWentOverNotByUsageInAWeekThatStayedUnderItsLimit()
    {
        var weekly = Catalog.Replace("""{ "feature_code": "tokens", "limit": 1000, "hard_cap": false, "overage_package": { "size": 1000, "price_cents": 500 },""",
            """{ "feature_code": "tokens", "limit": 1000, "reset": "week", "hard_cap": false, "overage_unit_price_cents": 2,""", StringComparison.Ordinal);
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("metrics-weekly", weekly), new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");

        await TrackAsync(app, Event("w1", "llm_call", new { model = "gpt-4o", tokens = 900 })); // the week of Apr 27: under 1,000
        await app.AdvanceToAsync(new DateTimeOffset(2026, 5, 12, 0, 0, 0, TimeSpan.Zero));
        await TrackAsync(app, Event("w2", "llm_call", new { model = "mini", tokens = 1500 })); // the week of May 11: 500 over
        await app.AdvanceToAsync(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var invoice = (await app.InvoicesAsync("c1"))[^1];
        var overage = invoice["lines"]!.AsArray().Where(l => l!["kind"].Value<string>() == "overage")
            .Select(l => (l!["description"].Value<string>(), l["quantity"].Value<long>(), l["unit_amount_cents"].Value<long>(), l["amount_cents"].Value<long>()))
            .ToList();

        Assert.Equal([("Tokens (model: mini)", 500L, 2L, 1000L)], overage);
    }

    [Fact]
    public async Task OverageOf2300TokensPastASoftCapOf1000IsThreeStartedPackagesFor15DollarsSplitWholePerModelByItsPartOfTheOverage()
    {
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("metrics", Catalog), new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");

        await TrackAsync(app, Event("t1", "llm_call", new { model = "gpt-4o", tokens = 3000 }), Event("t2", "llm_call", new { model = "mini", tokens = 300 }));
        await app.AdvanceToAsync(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var invoice = (await app.InvoicesAsync("c1"))[^1];
        var overage = invoice["lines"]!.AsArray().Where(l => l!["kind"].Value<string>() == "overage")
            .Select(l => (l!["description"].Value<string>(), l["quantity"].Value<long>(), l["amount_cents"].Value<long>())).ToList();

        // The limit is on the total: 3 started packages of the 2,300 over, $15.00. The groups' parts of the 2,300 (2,091 and
        // 209) split the 3 packages whole by largest remainder: all 3 to gpt-4o, and mini's part starts none, so it has no line.
        Assert.Equal([("Tokens (model: gpt-4o)", 3L, 1500L)], overage);
        Assert.Equal(2000L + 1500, invoice["amount_due_cents"].Value<long>());
    }

    [Fact]
    public async Task EachTierLineOfAGroupedOverageCarriesTheGroupsPartOfThatTiersUnitsAndKeepsTheTiersWords()
    {
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("metrics", Catalog), new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "tiered");
        await app.CustomerAsync("c2");
        await app.SubscribeAsync("c2", "tiered");

        await TrackAsync(app, Event("t1", "llm_call", new { model = "gpt-4o", tokens = 2500 }), Event("t2", "llm_call", new { model = "mini", tokens = 800 }),
            Event("t3", "llm_call", new { model = "gpt-4o", tokens = 1500 }, "c2"));
        var both = await OverageLinesAsync(app, "c1");
        var firstTierOnly = await OverageLinesAsync(app, "c2");

        // 2,300 over, of which the groups' parts are 1,742 and 558 (by 2,500 and 800 of 3,300). Tier 1's 1,000 units (10 cents)
        // and tier 2's 1,300 (4 cents + 50 flat) are each split by those parts: 757/243 and 985/315 units, where each line
        // once carried the group's whole part, 1,742 or 558, as its quantity.
        Assert.Equal([
            ("Overage: 2,300 units of Tokens past 1,000, tier 1 (1–1,000): 1,000 × 0.01 per 100 (model: gpt-4o)", 757L, 8L),
            ("Overage: 2,300 units of Tokens past 1,000, tier 1 (1–1,000): 1,000 × 0.01 per 100 (model: mini)", 243L, 2L),
            ("Overage: 2,300 units of Tokens past 1,000, tier 2 (1,001 and up): 1,300 × 0.01 per 300 + 0.50 flat (model: gpt-4o)", 985L, 41L),
            ("Overage: 2,300 units of Tokens past 1,000, tier 2 (1,001 and up): 1,300 × 0.01 per 300 + 0.50 flat (model: mini)", 315L, 13L)], both);
        // Only tier 1 reached: the line keeps its tier's words before the group.
        Assert.Equal([("Overage: 500 units of Tokens past 1,000, tier 1 (1–1,000): 500 × 0.01 per 100 (model: gpt-4o)", 500L, 5L)], firstTierOnly);
    }

    private static async Task<List<(string?, long, long)>> OverageLinesAsync(TollgateApp app, string customer) =>
        [.. (await (await app.Admin.GetAsync($"/v1/customers/{customer}/upcoming-invoice")).ReadAsync())["lines"]!.AsArray()
            .Where(l => l!["kind"].Value<string>() == "overage")
            .Select(l => (l!["description"].Value<string>(), l["quantity"].Value<long>(), l["amount_cents"].Value<long>()))];

    [Fact]
    public async Task AfterAPlanChangeTheRenewalSplitsTheOverageThatCameAfterItByTheGroupsUsedAfterIt()
    {
        var priced = Catalog
            .Replace("""{ "feature_code": "tokens", "limit": 1000, "hard_cap": false, "overage_package": { "size": 1000, "price_cents": 500 },""",
                """{ "feature_code": "tokens", "limit": 1000, "hard_cap": false, "overage_unit_price_cents": 2,""", StringComparison.Ordinal)
            .Replace("\"plans\": [", """
                "plans": [
                  { "code": "lite", "name": "Lite", "prices": [ { "billing_period": "monthly", "price_cents": 1000 } ],
                    "features": [ { "feature_code": "tokens", "limit": 500, "hard_cap": false, "overage_unit_price_cents": 3, "metric": "llm_tokens" } ] },
                """, StringComparison.Ordinal);
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("metrics-change", priced), new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "pro");

        await TrackAsync(app, Event("b1", "llm_call", new { model = "gpt-4o", tokens = 1200 })); // 200 past pro's 1,000
        await app.AdvanceToAsync(new DateTimeOffset(2026, 5, 11, 0, 0, 0, TimeSpan.Zero));
        var change = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "lite", proration = "none", effective = "immediate" });
        await TrackAsync(app, Event("a1", "llm_call", new { model = "mini", tokens = 100 })); // all of it past lite's 500
        await app.AdvanceToAsync(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var overage = (await app.InvoicesAsync("c1")).SelectMany(i => i["lines"]!.AsArray()).Where(l => l!["kind"].Value<string>() == "overage")
            .Select(l => (l!["description"].Value<string>(), l["quantity"].Value<long>(), l["amount_cents"].Value<long>())).Order().ToList();

        // The change bills pro's 200 over, all gpt-4o's; the renewal bills the 100 after it, all mini's: not split by the
        // window's whole usage (1,200 gpt-4o, 100 mini), which gave gpt-4o 92 of mini's tokens.
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal([("Tokens (model: gpt-4o)", 200L, 400L), ("Tokens (model: mini)", 100L, 300L)], overage);
    }

    [Fact]
    public async Task CheckOnAUniqueCountFeatureRefusesASixthUserAndAllowsAReturningOne()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-check");
        await TrackAsync(app, [.. Enumerable.Range(1, 5).Select(i => Event($"e{i}", "session", new { user = $"u{i}" }, customer: "m-check"))]);

        async Task<JsonNode> CheckAsync(object body) => await (await app.Admin.PostJsonAsync("/v1/entitlements/check", body)).ReadAsync();
        var sixth = await CheckAsync(new { customer = "m-check", feature = "users", value = "u6" });
        var returning = await CheckAsync(new { customer = "m-check", feature = "users", value = "u1" });
        var anyone = await CheckAsync(new { customer = "m-check", feature = "users" });
        var tokens = await CheckAsync(new { customer = "m-check", feature = "tokens", amount = 5_000_000 });

        Assert.Equal((false, "quota_exceeded", 5L), (sixth["allowed"].Value<bool>(), sixth["reason"].Value<string>(), sixth["used"].Value<long>()));
        Assert.True(returning["allowed"].Value<bool>());
        Assert.False(anyone["allowed"].Value<bool>());
        Assert.True(tokens["allowed"].Value<bool>()); // allowed while used is below the limit, whatever the amount
    }

    [Theory]
    [InlineData("1e309")]
    [InlineData("-79228162514264337593543950336")]
    public async Task ACheckedValueNoEventCouldCarryIs400NamingValue(string number)
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-value");

        var response = await app.Admin.PostAsync("/v1/entitlements/check", new StringContent(
            $$"""{"customer":"m-value","feature":"users","value":{{number}}}""", System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("must be a number of at most 28 significant digits", problem["errors"]!["value"].Value<string>());
    }

    [Fact]
    public async Task ConsumeAndReserveOnAMetricFeatureAre400MetricFeatureAndCountNothing()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-consume");

        var consume = await app.ConsumeAsync("m-consume", "tokens", 10);
        var reserve = await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "m-consume", feature = "tokens", amount = 10 });
        var problem = await consume.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (consume.StatusCode, reserve.StatusCode));
        Assert.Equal(("metric_feature", "llm_tokens"), (problem["error"].Value<string>(), problem["metric"].Value<string>()));
        Assert.Contains("POST /v1/events", problem["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(0, (await UsageAsync(app, "tokens", "m-consume"))["used"].Value<long>());
    }

    [Fact]
    public async Task AFeatureFormEventOnAMetricFeatureIsRejectedNamingTheEventForm()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-form");

        var body = await (await app.Admin.PostJsonAsync("/v1/events",
            new { events = new[] { new { id = "f1", customer = "m-form", feature = "tokens", amount = 5 } } })).ReadAsync();

        Assert.Equal(0, body["accepted"].Value<int>());
        Assert.Contains("counts metric 'llm_tokens'", body["rejected"]![0]!["reason"].Value<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"user": {"id": "u1"}}""", "events[1].properties.user", "must be a string, number or boolean (properties are flat)")]
    [InlineData("""{"user": ["u1"]}""", "events[1].properties.user", "must be a string, number or boolean (properties are flat)")]
    [InlineData("""{"user": null}""", "events[1].properties.user", "must be a string, number or boolean (properties are flat)")]
    [InlineData("\"u1\"", "events[1].properties", "must be an object of strings, numbers and booleans")]
    public async Task MalformedPropertiesAre400NamingThePathAndWriteNothing(string properties, string path, string message)
    {
        await using var app = await StartSharedAsync(ApiSetup.CatalogOf("metrics", Catalog));
        await app.CustomerAsync("c1");
        var body = $$$"""
            {"events": [{"id": "ok", "customer": "c1", "event": "session", "properties": {"user": "u0"}},
                        {"id": "bad", "customer": "c1", "event": "session", "properties": {{{properties}}} }]}
            """;

        var response = await app.Admin.PostJsonAsync("/v1/events", body);
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, problem["errors"]![path].Value<string>());
        Assert.Equal(0, (await UsageAsync(app, "users"))["used"].Value<long>());
    }

    [Fact]
    public async Task PropertyLimitsAreEachRefusedNamingThePath()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var tooMany = new JsonObject();
        for (var i = 0; i < 33; i++)
        {
            tooMany[$"k{i}"] = i;
        }

        var response = await TrackAsync(app,
            new { id = "a", customer = "c1", @event = "session", properties = tooMany },
            new { id = "b", customer = "c1", @event = "session", properties = new Dictionary<string, string> { [new string('k', 65)] = "v" } },
            new { id = "c", customer = "c1", @event = "session", properties = new { user = new string('u', 257) } },
            new { id = "d", customer = "c1", @event = "llm_call", properties = new { tokens = "many" } },
            new { id = "e", customer = "c1", @event = "llm_call", properties = new { tokens = 1.5 } },
            new { id = "f", customer = "c1", @event = "llm_call", properties = new { tokens = -3 } },
            new { id = "", customer = "c1", @event = "", properties = new { } },
            new { id = "h", customer = "c1", properties = new { tokens = 5 } }); // properties without an event: the event is missing
        var errors = (await response.ReadAsync())["errors"]!.AsObject().ToDictionary(e => e.Key, e => e.Value.Value<string>());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("must have at most 32 keys", errors["events[0].properties"]);
        Assert.Equal("must be a key of 1-64 characters", errors[$"events[1].properties.{new string('k', 65)}"]);
        Assert.Equal("must be at most 256 characters", errors["events[2].properties.user"]);
        Assert.Equal("must be a whole number from 0 to 1000000000000: metric 'llm_tokens' reads it", errors["events[3].properties.tokens"]);
        Assert.Equal(errors["events[3].properties.tokens"], errors["events[4].properties.tokens"]);
        Assert.Equal(errors["events[3].properties.tokens"], errors["events[5].properties.tokens"]);
        Assert.Equal(("must not be empty", "must not be empty"), (errors["events[6].id"], errors["events[6].event"]));
        Assert.Equal("is required", errors["events[7].event"]);
    }

    [Fact]
    public async Task AResentEventIdCountsOnceAndIsListedAsADuplicate()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-resent");

        await TrackAsync(app, Event("x1", "llm_call", new { model = "mini", tokens = 10 }, customer: "m-resent"));
        var again = await (await TrackAsync(app, Event("x1", "llm_call", new { model = "mini", tokens = 10 }, customer: "m-resent"))).ReadAsync();

        Assert.Equal((0, "x1"), (again["accepted"].Value<int>(), again["duplicates"]![0].Value<string>()));
        Assert.Equal(10, (await UsageAsync(app, "tokens", "m-resent"))["used"].Value<long>());
    }

    [Fact]
    public async Task ManyParallelPostsOfTheSameEventsCountEachIdOnce()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("m-parallel");
        object[] batch = [.. Enumerable.Range(0, 10).SelectMany(i => new[]
        {
            Event($"r{i}", "request", new { region = "eu" }, customer: "m-parallel"),
            Event($"s{i}", "session", new { user = $"u{i % 3}" }, customer: "m-parallel"),
            Event($"t{i}", "llm_call", new { model = i % 2 == 0 ? "gpt-4o" : "mini", tokens = 100 }, customer: "m-parallel"),
        })];

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => TrackAsync(app, batch)));
        var bodies = await Task.WhenAll(responses.Select(r => r.ReadAsync()));
        var tokens = await UsageAsync(app, "tokens", "m-parallel");

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(30, bodies.Sum(b => b["accepted"].Value<int>()));
        Assert.Equal(10, (await UsageAsync(app, "eu_requests", "m-parallel"))["used"].Value<long>());
        Assert.Equal(3, (await UsageAsync(app, "users", "m-parallel"))["used"].Value<long>());
        Assert.Equal(1000, tokens["used"].Value<long>());
        Assert.Equal([500L, 500L], tokens["groups"]!.AsArray().Select(g => g!["used"].Value<long>()));
    }
}

public sealed class SqliteMetricsTests(SharedServer shared) : MetricsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresMetricsTests(SharedServer shared) : MetricsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same on the machine's clock, ticking, as production runs it.</summary>
public sealed class SqliteTickingMetricsTests(SharedServer shared) : MetricsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
