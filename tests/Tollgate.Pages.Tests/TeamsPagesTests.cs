using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>Private plans and deals in the browser: hidden from the pricing page, sold by an offer link, shown in the console.</summary>
public sealed class TeamsPagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "reports", "name": "Reports", "unit": "reports", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "reports", "limit": 10 } ] },
            { "code": "team", "name": "Team", "description": "For teams, per seat.",
              "prices": [ { "billing_period": "monthly", "price_cents": 1200, "per_seat": true, "included_seats": 2, "max_seats": 50 } ],
              "features": [ { "feature_code": "reports", "limit": 100, "per_seat": true, "per_member_limit": 40 } ] },
            { "code": "enterprise", "name": "Enterprise Deal", "description": "Negotiated for one customer.", "visibility": "private",
              "prices": [ { "billing_period": "monthly", "price_cents": 90000 } ],
              "features": [ { "feature_code": "reports", "limit": null } ] }
          ]
        }
        """;

    private static Task<TollgateApp> StartAsync() =>
        TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.CatalogOf("teams-pages", Catalog), new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero),
            kestrel: true);

    [Fact]
    public async Task AnOfferLinkSellsThePrivatePlanThatThePricingPageNeverShows()
    {
        await using var app = await StartAsync();
        await app.CustomerAsync("bigco");
        var link = await (await app.Admin.PostJsonAsync("/v1/admin/plans/enterprise/offer-links",
            new { customer = "bigco", expires_at = app.Clock.GetUtcNow().AddDays(14) })).ReadAsync();
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/pricing");
        var plans = await page.Locator("section#plans h2, section#plans h3").AllInnerTextsAsync();
        var privateCards = await page.Locator("[data-plan='enterprise']").CountAsync();
        await page.GotoAsync(new Uri(link["url"].Value<string>()!).PathAndQuery);
        await BrowserFixture.ScreenshotAsync(page, "offer");
        var title = await page.Locator("h1").InnerTextAsync();
        var price = await page.Locator("[data-testid='offer-price']").InnerTextAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        var done = await page.Locator("h1").InnerTextAsync();

        Assert.DoesNotContain(plans, p => p.Contains("Enterprise", StringComparison.Ordinal));
        Assert.Equal(0, privateCards);
        Assert.Equal(("Enterprise Deal", "$900.00 a month"), (title, price));
        Assert.Equal("You are subscribed", done);
    }

    [Fact]
    public async Task TheConsoleShowsADealsPriceAndNoteAndTheSeatsAndOffersThePrivatePlan()
    {
        await using var app = await StartAsync();
        await app.CustomerAsync("bigco");
        await app.CustomerAsync("acme");
        await app.Admin.PostJsonAsync("/v1/subscriptions",
            new { customer = "bigco", plan = "enterprise", price_override_cents = 75000, price_override_note = "Two-year commitment" });
        await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "acme", plan = "team", seats = 5 });
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GotoAsync("/admin/customers/bigco");
        var deal = await page.Locator("[data-testid='deal']").InnerTextAsync();
        var choices = await page.Locator("#choice option").AllInnerTextsAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-customer-deal");
        await page.GotoAsync("/admin/customers/acme");
        var seats = await page.Locator("[data-testid='seats']").InnerTextAsync();

        Assert.Equal("Deal: $750.00 instead of $900.00 · Two-year commitment", deal);
        Assert.Contains(choices, c => c.StartsWith("Enterprise Deal", StringComparison.Ordinal) && c.Contains("(private)", StringComparison.Ordinal));
        Assert.Equal("5 seats", seats);
    }

    [Fact]
    public async Task ThePricingPageSaysPerSeatAndThePortalShowsTheSeatsAndWhatTheyCost()
    {
        await using var app = await StartAsync();
        await app.CustomerAsync("acme");
        await app.CustomerAsync("bigco");
        await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "acme", plan = "team", seats = 5 });
        await app.Admin.PostJsonAsync("/v1/subscriptions",
            new { customer = "bigco", plan = "enterprise", price_override_cents = 75000, price_override_note = "Two-year commitment" });
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/pricing");
        var teamPrice = await page.Locator("[data-plan='team'] [data-price='monthly']").InnerTextAsync();
        var teamSeats = await page.Locator("[data-plan='team'] [data-testid='seats']").InnerTextAsync();
        var acme = await PortalPlanAsync(app, page, "acme");
        var teamChoice = await page.Locator("#change label", new() { HasText = "Team" }).InnerTextAsync();
        var reports = await page.Locator("section[aria-labelledby='usage-title']").InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "portal-seats");
        var bigco = await PortalPlanAsync(app, page, "bigco");

        Assert.Equal(("$12.00 / seat / month", "From 2 seats, up to 50"), (teamPrice, teamSeats));
        Assert.Equal("Team · 5 seats · $60.00 a month", acme);
        Assert.Contains("Team · $12.00 a seat a month", teamChoice, StringComparison.Ordinal);
        Assert.Contains("0 of 500 reports", reports, StringComparison.Ordinal); // 100 a seat × 5 seats
        Assert.Equal("Enterprise Deal · $750.00 a month", bigco); // the deal's price, not the catalog's $900.00
    }

    [Fact]
    public async Task TheYearlySwitchShowsTheSeatsTrialAndCallToActionOfTheYearlyPrice()
    {
        const string yearlySeats = """
            {
              "default_plan": "free",
              "features": [ { "code": "reports", "name": "Reports", "unit": "reports", "kind": "metered" } ],
              "plans": [
                { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
                  "features": [ { "feature_code": "reports", "limit": 10 } ] },
                { "code": "team", "name": "Team",
                  "prices": [ { "billing_period": "monthly", "price_cents": 1200, "per_seat": true, "included_seats": 2, "max_seats": 50 },
                              { "billing_period": "yearly", "price_cents": 12000, "per_seat": true, "included_seats": 5, "max_seats": 100,
                                "trial_days": 30 } ],
                  "features": [ { "feature_code": "reports", "limit": 100 } ] }
              ]
            }
            """;
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.CatalogOf("teams-yearly", yearlySeats),
            new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero), kestrel: true);
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        var seats = page.Locator("[data-plan='team'] [data-testid='seats']");
        var trial = page.Locator("[data-plan='team'] .trial");
        var cta = page.Locator("[data-plan='team'] a.cta");

        await page.GotoAsync("/pricing");
        var monthly = (await seats.InnerTextAsync(), await trial.InnerTextAsync(), await cta.InnerTextAsync());
        await page.GetByText("Yearly", new() { Exact = false }).First.ClickAsync();
        var yearly = (await seats.InnerTextAsync(), await trial.InnerTextAsync(), await cta.InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "pricing-yearly-seats");

        Assert.Equal(("From 2 seats, up to 50", "", "Choose plan"), (monthly.Item1.Trim(), monthly.Item2.Trim(), monthly.Item3.Trim()));
        Assert.Equal(("From 5 seats, up to 100", "30-day free trial", "Start free trial"), (yearly.Item1.Trim(), yearly.Item2.Trim(), yearly.Item3.Trim()));
    }

    private static async Task<string> PortalPlanAsync(TollgateApp app, IPage page, string customer)
    {
        var link = (await (await app.Admin.PostJsonAsync($"/v1/customers/{customer}/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        await page.GotoAsync(new Uri(link).PathAndQuery);
        return await page.Locator("[data-testid='current-plan']").InnerTextAsync();
    }
}
