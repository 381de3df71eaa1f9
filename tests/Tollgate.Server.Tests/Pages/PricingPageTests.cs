using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>The pricing page's prices and badges in the cases the catalog leaves open: a saving that rounds to nothing, a plan without prices.</summary>
public sealed class PricingPageTests
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "reports", "name": "Reports", "unit": "reports", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [], "features": [ { "feature_code": "reports", "limit": 10 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2,
              "prices": [ { "billing_period": "monthly", "price_cents": 2499 }, { "billing_period": "yearly", "price_cents": 29900 } ],
              "features": [ { "feature_code": "reports", "limit": 100 } ] },
            { "code": "enterprise", "name": "Enterprise", "sort_order": 3, "prices": [], "features": [ { "feature_code": "reports", "limit": null } ] },
            { "code": "annual", "name": "Annual", "sort_order": 4, "prices": [ { "billing_period": "yearly", "price_cents": 99900 } ],
              "features": [ { "feature_code": "reports", "limit": 1000 } ] }
          ]
        }
        """;

    private static Task<TollgateApp> StartAsync() => TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.CatalogOf("pricing-page", Catalog));

    [Theory]
    [InlineData("/pricing")]
    [InlineData("/pricing/embed.js")]
    public async Task AHeadRequestOfThePricingPageOrItsEmbedIsAnsweredLikeAGetWithoutTheBody(string path)
    {
        // On Kestrel, which leaves out a HEAD answer's body; the in-memory test server would send it.
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.CatalogOf("pricing-page", Catalog), kestrel: true);

        using var head = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        using var get = await app.Anonymous.GetAsync(path);

        // Uptime checks and link checkers send HEAD; it was a 405.
        Assert.Equal((System.Net.HttpStatusCode.OK, get.Content.Headers.ContentType?.MediaType),
            (head.StatusCode, head.Content.Headers.ContentType?.MediaType));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task APromotionsPriceSaysHowLongItLastsAndAForeverOneSaysNothing()
    {
        await using var app = await StartAsync();
        await app.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "HALF3", name = "Half off", percent_off = 50, duration = "repeating", duration_in_months = 3 });
        await app.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code = "LAUNCH50", coupon = "HALF3" });
        await app.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "TENFOREVER", name = "10% off", percent_off = 10, duration = "forever" });
        await app.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code = "TEN", coupon = "TENFOREVER" });

        var launch = await app.Anonymous.GetStringAsync("/pricing?promo=LAUNCH50");
        var forever = await app.Anonymous.GetStringAsync("/pricing?promo=TEN");

        // "$24.99 $12.49 / month" read as the price for good (the discount, 1,249.5 cents, rounds half away from zero).
        Assert.Contains("<span data-testid=\"discounted\">$12.49</span> <span class=\"per\">/ month</span> <span class=\"promo-for\" data-testid=\"promo-for\">for the first 3 months</span>",
            launch, StringComparison.Ordinal);
        Assert.Contains(">for the first year</span>", launch, StringComparison.Ordinal); // the yearly price: its first invoice
        Assert.Contains("data-testid=\"discounted\"", forever, StringComparison.Ordinal);
        Assert.DoesNotContain("promo-for", forever, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AYearlySavingThatRoundsToZeroShowsNoBadgeOnThePageAndNoSavingInTheApi()
    {
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();

        var page = PageText.Visible(await browser.PageAsync("/pricing?period=yearly"));
        var yearly = (await app.Anonymous.GetFromJsonAsync<JsonArray>("/v1/pricing/plans"))!
            .Single(p => p!["code"].Value<string>() == "pro")!["prices"]!.AsArray().Single(p => p!["billing_period"].Value<string>() == "yearly")!;

        Assert.Contains("$299.00 / year", page, StringComparison.Ordinal); // $24.99 × 12 = $299.88: 0.29 % saved
        Assert.DoesNotContain("Save", page, StringComparison.Ordinal);
        Assert.Null(yearly["saving_percent"]);
    }

    [Fact]
    public async Task TheDefaultPlanWithoutPricesReadsFreeAndLeadsToSignUpWhileAnotherPricelessPlanReadsContactUs()
    {
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();

        var html = await browser.PageAsync("/pricing");
        var free = PageText.Visible(Card(html, "free"));
        var enterprise = PageText.Visible(Card(html, "enterprise"));
        var start = PageText.Visible(await browser.PageAsync("/pricing/start?plan=free&period=monthly"));

        Assert.Contains("Free Free", free, StringComparison.Ordinal); // the name, then the price
        Assert.Contains("Get started", free, StringComparison.Ordinal);
        Assert.DoesNotContain("Contact us", free, StringComparison.Ordinal);
        Assert.Contains("Contact us", enterprise, StringComparison.Ordinal);
        Assert.Contains("Free costs nothing.", start, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APlanSoldOnlyByTheYearLeadsToItsYearlySignUpFromTheMonthlyViewToo()
    {
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();

        var card = Card(await browser.PageAsync("/pricing"), "annual");
        var href = System.Text.RegularExpressions.Regex.Match(card, "href=\"(/pricing/start[^\"]*)\"").Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal);
        var start = PageText.Visible(await browser.PageAsync(href));

        Assert.Contains("$999.00 / year", PageText.Visible(card), StringComparison.Ordinal);
        Assert.Equal("/pricing/start?plan=annual&period=yearly", href);
        Assert.DoesNotContain("not on sale", start, StringComparison.Ordinal);
        Assert.Contains("Annual", start, StringComparison.Ordinal);
    }

    private static string Card(string html, string plan)
    {
        var start = html.IndexOf($"data-plan=\"{plan}\">", StringComparison.Ordinal);
        return html[start..html.IndexOf("</article>", start, StringComparison.Ordinal)];
    }
}
