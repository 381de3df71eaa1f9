using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The portal's "Your next invoice": the upcoming invoice's lines and amount due, for subscribers only.</summary>
public sealed class PortalUpcomingInvoiceTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "tokens", "name": "Tokens", "unit": "tokens", "kind": "metered" } ],
          "metrics": [ { "code": "llm_tokens", "name": "Tokens", "event": "llm_call", "aggregation": "sum", "property": "tokens" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "tokens", "limit": 100, "metric": "llm_tokens" } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2, "prices": [ { "billing_period": "monthly", "price_cents": 2900 } ],
              "features": [ { "feature_code": "tokens", "limit": 1000, "hard_cap": false, "overage_unit_price_cents": 2, "metric": "llm_tokens" } ] }
          ]
        }
        """;

    private static async Task<string> PortalLinkAsync(TollgateApp app, string customer) =>
        new Uri((await (await app.Admin.PostJsonAsync($"/v1/customers/{customer}/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!).PathAndQuery;

    [Fact]
    public async Task ASubscriberSeesTheNextFeeAndTheOverageSoFarAndAFreeCustomerSeesNoNextInvoice()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.CatalogOf("portal-upcoming", Catalog),
            new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero), kestrel: true);
        await app.CustomerAsync("ada");
        await app.CustomerAsync("bob");
        await app.SubscribeAsync("ada", "pro");
        await app.Admin.PostJsonAsync("/v1/events", new { events = new[] { new { id = "t1", customer = "ada", @event = "llm_call", properties = new { tokens = 1300 } } } });
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync(await PortalLinkAsync(app, "ada"));
        var section = page.Locator("section[aria-labelledby='upcoming-title']");
        var rows = await section.Locator("tbody tr").AllInnerTextsAsync();
        var date = await section.Locator("p.muted").InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "portal-upcoming-invoice");
        await page.GotoAsync(await PortalLinkAsync(app, "bob"));
        var bobSections = await page.Locator("section[aria-labelledby='upcoming-title']").CountAsync();

        Assert.Equal(["Pro (monthly)\t$29.00", "Overage: 300 tokens of Tokens past 1,000\t$6.00", "Amount due\t$35.00"],
            rows.Select(r => r.Trim()));
        Assert.StartsWith("Apr 10, 2026", date, StringComparison.Ordinal);
        Assert.Equal(0, bobSections);
    }
}
