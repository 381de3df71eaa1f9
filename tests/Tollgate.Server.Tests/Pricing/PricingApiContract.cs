using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pricing;

public abstract class PricingApiContract(SharedServer shared) : ApiContract(shared)
{
    private const string WordsCatalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "calls", "name": "API calls", "unit": "calls", "kind": "metered" },
                        { "code": "pages", "name": "Pages", "unit": "pages", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ], "features": [] },
            { "code": "starter", "name": "Starter", "prices": [ { "billing_period": "monthly", "price_cents": 1900 } ],
              "features": [ { "feature_code": "calls", "limit": 1000, "hard_cap": false, "rate_limit": { "limit": 5, "per": "second" },
                              "overage_tiers": [ { "up_to": 100, "unit_price_cents": 2 }, { "up_to": null, "unit_price_cents": 100, "per_units": 1000 } ] },
                            { "feature_code": "pages", "limit": 10, "hard_cap": false, "overage_unit_price_cents": 5 } ] },
            { "code": "team", "name": "Team", "prices": [ { "billing_period": "monthly", "price_cents": 1500, "per_seat": true, "included_seats": 2, "max_seats": 50 } ],
              "features": [ { "feature_code": "calls", "limit": 100 } ] }
          ]
        }
        """;

    [Fact]
    public async Task APlanSaysItsSeatsRateLimitsAndOverageInTheWordsOfTheHostedPage()
    {
        await using var app = await StartOwnAsync(ApiSetup.CatalogOf("words", WordsCatalog));

        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray();
        JsonNode Plan(string code) => plans.Single(p => p!["code"].Value<string>() == code)!;
        JsonNode Feature(string plan, string code) => Plan(plan)["features"]!.AsArray().Single(f => f!["feature_code"].Value<string>() == code)!;
        var team = Plan("team")["prices"]![0]!;
        var free = Plan("free")["prices"]![0]!;

        Assert.Equal((true, 2, 50, "/ seat / month", "From 2 seats, up to 50"), (team["per_seat"].Value<bool>(), team["included_seats"].Value<int>(),
            team["max_seats"].Value<int>(), team["display_per"].Value<string>(), team["display_seats"].Value<string>()));
        Assert.Equal((false, "/ month", null), (free["per_seat"].Value<bool>(), free["display_per"].Value<string>(), free["display_seats"].Value<string>()));
        Assert.Equal("5 a second", Feature("starter", "calls")["display_rate_limit"].Value<string>());
        Assert.Equal(["Over the limit, 1–100: $0.02 per call", "Over the limit, 101+: $1.00 per 1,000 calls"],
            Feature("starter", "calls")["display_overage"]!.AsArray().Select(l => l.Value<string>()));
        Assert.Equal(["Then $0.05 per page"], Feature("starter", "pages")["display_overage"]!.AsArray().Select(l => l.Value<string>()));
        Assert.Null(Feature("team", "calls")["display_overage"]);
    }

    [Fact]
    public async Task PlansAreTheCareerCoachsInSortOrderWithDisplayPrices()
    {
        await using var app = await StartAsync();

        var response = await app.Anonymous.GetAsync("/v1/pricing/plans");
        var plans = (await response.ReadAsync()).AsArray();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["free", "basic", "pro", "enterprise"], plans.Select(p => p!["code"].Value<string>()));
        var pro = plans[2]!;
        Assert.True(pro["is_popular"].Value<bool>());
        Assert.Equal("Advanced features for serious career advancement", pro["description"].Value<string>());
        Assert.Equal(3, pro["sort_order"].Value<int>());
        var monthly = pro["prices"]![0]!;
        Assert.Equal(("monthly", 2999L, "USD", 7, "$29.99"), (monthly["billing_period"].Value<string>(), monthly["price_cents"].Value<long>(),
            monthly["currency"].Value<string>(), monthly["trial_days"].Value<int>(), monthly["display_price"].Value<string>()));
        var yearly = pro["prices"]![1]!;
        Assert.Equal(("$299.00", 17), (yearly["display_price"].Value<string>(), yearly["saving_percent"].Value<int>()));
    }

    [Fact]
    public async Task EachPlanListsEveryFeatureWithItsQuotaInWords()
    {
        await using var app = await StartAsync();

        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray();

        string Display(int plan, string feature) => plans[plan]!["features"]!.AsArray()
            .Single(f => f!["feature_code"].Value<string>() == feature)!["display_quota"].Value<string>()!;
        Assert.Equal(["2", "10", "30", "Unlimited"], Enumerable.Range(0, 4).Select(i => Display(i, "cv_generate")));
        Assert.Equal(["1", "5", "20", "Unlimited"], Enumerable.Range(0, 4).Select(i => Display(i, "mock_interview")));
        Assert.Equal(["10", "100", "Unlimited", "Unlimited"], Enumerable.Range(0, 4).Select(i => Display(i, "career_chat_messages")));
        Assert.Equal(["Not included", "Included", "Included", "Included"], Enumerable.Range(0, 4).Select(i => Display(i, "job_tracking")));
        var chat = plans[2]!["features"]!.AsArray().Single(f => f!["feature_code"].Value<string>() == "career_chat_messages")!;
        Assert.Null(chat["monthly_quota"]);
        Assert.False(chat["hard_cap"].Value<bool>());
    }

    [Fact]
    public async Task APlanFeatureCarriesItsLimitWindowAndRateLimitAndSaysThemInWords()
    {
        await using var app = await StartOwnAsync(new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = "none" });
        await app.Admin.PutJsonAsync("/v1/admin/catalog", CatalogDocsExample());

        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray();

        JsonNode Feature(string plan, string feature) => plans.Single(p => p!["code"].Value<string>() == plan)!["features"]!.AsArray()
            .Single(f => f!["feature_code"].Value<string>() == feature)!;
        var freeScans = Feature("free", "ats_scans");
        var proScans = Feature("pro", "ats_scans");
        var proCvs = Feature("pro", "cv_generate");
        var freeApi = Feature("free", "api_requests");
        Assert.Equal((1L, "day", 1L, "1", "1 a day"), (freeScans["limit"].Value<long>(), freeScans["reset"].Value<string>(),
            freeScans["monthly_quota"].Value<long>(), freeScans["display_quota"].Value<string>(), freeScans["display_terms"].Value<string>()));
        Assert.Equal((50L, "week", "50 a week"), (proScans["limit"].Value<long>(), proScans["reset"].Value<string>(), proScans["display_terms"].Value<string>()));
        Assert.Equal(("30 a month", 5L, "second", "5 a second"), (proCvs["display_terms"].Value<string>(), proCvs["rate_limit"]!["limit"].Value<long>(),
            proCvs["rate_limit"]!["per"].Value<string>(), proCvs["display_rate_limit"].Value<string>()));
        Assert.Equal(("Included", 60L, "minute", "60 a minute"), (freeApi["display_terms"].Value<string>(), freeApi["rate_limit"]!["limit"].Value<long>(),
            freeApi["rate_limit"]!["per"].Value<string>(), freeApi["display_rate_limit"].Value<string>()));
        Assert.Null(freeApi["reset"]);
        Assert.Null(Feature("free", "cv_generate")["rate_limit"]);
        Assert.Equal("Not included", Feature("free", "data_retention_days")["display_terms"].Value<string>());
        Assert.Equal("365 days", Feature("pro", "data_retention_days")["display_terms"].Value<string>());
    }

    [Fact]
    public async Task TheComparisonSaysEachQuotasWindowLifetimeAndBillingPeriodIncluded()
    {
        await using var app = await StartOwnAsync(new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = "none" });
        var catalog = JsonNode.Parse(CatalogDocsExample())!;
        catalog["plans"]!.AsArray().Add(JsonNode.Parse("""
            { "code": "team", "name": "Team", "sort_order": 4, "prices": [ { "billing_period": "yearly", "price_cents": 99900 } ],
              "features": [ { "feature_code": "ats_scans", "limit": 100, "reset": "never" },
                            { "feature_code": "cv_generate", "limit": 40, "reset": "billing_period", "per_seat": true },
                            { "feature_code": "career_chat_messages", "limit": null } ] }
            """));
        var applied = await app.Admin.PutJsonAsync("/v1/admin/catalog", catalog.ToJsonString());

        var table = await (await app.Anonymous.GetAsync("/v1/pricing/compare")).ReadAsync();

        JsonArray Cells(string feature) => table["rows"]!.AsArray().Single(r => r!["feature_code"].Value<string>() == feature)!["cells"]!.AsArray();
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(["1 a day", "50 a week", "100 in total"], Cells("ats_scans").Select(c => c!["display_terms"].Value<string>()));
        Assert.Equal(["1", "50", "100"], Cells("ats_scans").Select(c => c!["display_quota"].Value<string>()));
        Assert.Equal(["3 a month", "30 a month", "40 per billing period per seat"], Cells("cv_generate").Select(c => c!["display_terms"].Value<string>()));
        Assert.Equal([null, "5 a second", null], Cells("cv_generate").Select(c => c!["display_rate_limit"].Value<string>()));
        Assert.Equal(["60 a minute", "600 a minute", null], Cells("api_requests").Select(c => c!["display_rate_limit"].Value<string>()));
        Assert.Equal("Unlimited", Cells("career_chat_messages")[2]!["display_terms"].Value<string>());
        Assert.Equal(["Not included", "365 days", "Not included"], Cells("data_retention_days").Select(c => c!["display_terms"].Value<string>()));
    }

    private static string CatalogDocsExample() => System.Text.RegularExpressions.Regex.Match(
        File.ReadAllText(Path.Combine(Json.RepoRoot(), "docs", "catalog.md")), "```json\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)
        .Groups[1].Value;

    [Fact]
    public async Task OnePlanIsServedByCodeAndAnUnknownCodeIsA404Problem()
    {
        await using var app = await StartAsync();

        var pro = await app.Anonymous.GetAsync("/v1/pricing/plans/pro");
        var missing = await app.Anonymous.GetAsync("/v1/pricing/plans/platinum");
        var problem = await missing.ReadAsync();

        Assert.Equal("Pro", (await pro.ReadAsync())["name"].Value<string>());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        Assert.Equal(("not_found", "No plan 'platinum'."), (problem["error"].Value<string>(), problem["detail"].Value<string>()));
    }

    [Fact]
    public async Task ComparisonTableHasAFeatureByPlanGridAndTheFaq()
    {
        await using var app = await StartAsync();

        var table = await (await app.Anonymous.GetAsync("/v1/pricing/compare")).ReadAsync();

        Assert.Equal(["free", "basic", "pro", "enterprise"], table["plans"]!.AsArray().Select(p => p!["code"].Value<string>()));
        var rows = table["rows"]!.AsArray();
        Assert.Equal(7, rows.Count);
        var cv = rows.Single(r => r!["feature_code"].Value<string>() == "cv_generate")!;
        Assert.Equal(["2", "10", "30", "Unlimited"], cv["cells"]!.AsArray().Select(c => c!["display_quota"].Value<string>()));
        Assert.Equal(3, table["faq"]!.AsArray().Count);
        var features = (await (await app.Anonymous.GetAsync("/v1/pricing/features")).ReadAsync()).AsArray();
        Assert.Equal(("cv_generate", "CV Generation", "CVs", "metered"), (features[0]!["code"].Value<string>(), features[0]!["name"].Value<string>(),
            features[0]!["unit"].Value<string>(), features[0]!["kind"].Value<string>()));
    }

    [Fact]
    public async Task RepeatedReadWithTheETagIsNotModifiedUntilTheCatalogChanges()
    {
        await using var app = await StartOwnAsync();
        var first = await app.Anonymous.GetAsync("/v1/pricing/plans");
        var etag = first.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/v1/pricing/plans");
        conditional.Headers.IfNoneMatch.Add(etag);
        var second = await app.Anonymous.SendAsync(conditional);
        var changed = Json.Catalog("career-coach.json").Replace("\"Try the app\"", "\"Try it free\"", StringComparison.Ordinal);
        await app.Admin.PutJsonAsync("/v1/admin/catalog", changed);
        using var after = new HttpRequestMessage(HttpMethod.Get, "/v1/pricing/plans");
        after.Headers.IfNoneMatch.Add(etag);
        var third = await app.Anonymous.SendAsync(after);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.NotEqual(etag, third.Headers.ETag);
        Assert.Contains("max-age", first.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }
}

public sealed class SqlitePricingApiTests(SharedServer shared) : PricingApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresPricingApiTests(SharedServer shared) : PricingApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingPricingApiTests(SharedServer shared) : PricingApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
