using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The portal's plan picker shows a private plan to its own subscriber as current, and to no one else.</summary>
public sealed class PortalPrivatePlanTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "reports", "name": "Reports", "unit": "reports", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "reports", "limit": 10 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2, "prices": [ { "billing_period": "monthly", "price_cents": 2900 } ],
              "features": [ { "feature_code": "reports", "limit": 100 } ] },
            { "code": "enterprise", "name": "Enterprise Deal", "sort_order": 3, "visibility": "private",
              "prices": [ { "billing_period": "monthly", "price_cents": 90000 }, { "billing_period": "yearly", "price_cents": 900000 } ],
              "features": [ { "feature_code": "reports", "limit": null } ] },
            { "code": "partner", "name": "Partner Deal", "sort_order": 4, "visibility": "private", "prices": [ { "billing_period": "monthly", "price_cents": 50000 } ],
              "features": [ { "feature_code": "reports", "limit": null } ] }
          ]
        }
        """;

    private static async Task<string> PortalLinkAsync(TollgateApp app, string customer) =>
        new Uri((await (await app.Admin.PostJsonAsync($"/v1/customers/{customer}/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!).PathAndQuery;

    [Fact]
    public async Task APrivatePlansSubscriberSeesItAsCurrentAndNoOtherDealWhileOthersSeeNoDealAtAll()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.CatalogOf("private-portal", Catalog),
            new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero), kestrel: true);
        await app.CustomerAsync("bigco");
        await app.CustomerAsync("ada");
        await app.SubscribeAsync("bigco", "enterprise");
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync(await PortalLinkAsync(app, "bigco"));
        var choices = await page.Locator("#change [data-choice]").AllInnerTextsAsync();
        var currentDisabled = await page.Locator("[data-choice='enterprise:monthly'] input").IsDisabledAsync();
        await BrowserFixture.ScreenshotAsync(page, "portal-private-plan");
        await using var other = await browser.ContextAsync(app.BaseAddress!);
        var otherPage = await other.NewPageAsync();
        await otherPage.GotoAsync(await PortalLinkAsync(app, "ada"));
        var otherChoices = await otherPage.Locator("#change [data-choice]").AllInnerTextsAsync();

        Assert.Equal(["Free · Free", "Pro · $29.00 a month", "Enterprise Deal · $900.00 a month Current"], choices.Select(c => c.Trim()));
        Assert.True(currentDisabled);
        Assert.Equal(["Free · Free Current", "Pro · $29.00 a month"], otherChoices.Select(c => c.Trim()));
    }
}
