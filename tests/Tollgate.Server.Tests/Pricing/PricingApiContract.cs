using System.Net;
using System.Net.Http.Headers;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pricing;

public abstract class PricingApiContract : ApiContract
{
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
        await using var app = await StartAsync();
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

public sealed class SqlitePricingApiTests : PricingApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresPricingApiTests : PricingApiContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
