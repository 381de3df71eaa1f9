using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>Promotion codes on the pricing page, in the portal's plan change and in the console, in a real Chromium.</summary>
public sealed class DiscountPagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    private static async Task<TollgateApp> StartWithCodeAsync()
    {
        var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        await app.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code = "SPRING20", coupon = "TWENTY" });
        return app;
    }

    [Fact]
    public async Task PricingWithAValidCodeStrikesThroughThePriceShowsTheDiscountedOneAndCarriesTheCodeToTheCallToAction()
    {
        await using var app = await StartWithCodeAsync();
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/pricing?promo=spring20");
        var pro = page.Locator("article[data-plan='pro']");
        var was = await pro.Locator("[data-price='monthly'] [data-testid='was']").InnerTextAsync();
        var now = await pro.Locator("[data-price='monthly'] [data-testid='discounted']").InnerTextAsync();
        var cta = await pro.Locator("a.cta").GetAttributeAsync("href");
        await BrowserFixture.ScreenshotAsync(page, "pricing-promo");
        await page.GotoAsync("/pricing?promo=NOPE");
        var struckWithoutCode = await page.Locator("s.was").CountAsync();

        Assert.Equal(("$29.99", "$23.99"), (was, now));
        Assert.Contains("promo=SPRING20", cta, StringComparison.Ordinal);
        Assert.Equal(0, struckWithoutCode);
    }

    [Fact]
    public async Task APlanChangeWithACodeShowsTheDiscountInThePreviewAndRedeemsItOnConfirm()
    {
        await using var app = await StartWithCodeAsync();
        await app.CustomerAsync("ada");
        await app.SubscribeAsync("ada", "basic", trialDays: 0);
        await app.AdvanceAsync(TimeSpan.FromDays(10));
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        var link = await (await app.Admin.PostJsonAsync("/v1/customers/ada/portal-sessions", new { return_url = "https://app.example.com/account" })).ReadAsync();
        await page.GotoAsync(new Uri(link["url"].Value<string>()!).PathAndQuery);

        await page.Locator("[data-choice='pro:monthly']").ClickAsync();
        await page.FillAsync("[data-testid='promotion-code']", "spring20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview the change" }).ClickAsync();
        var header = await page.Locator("[data-testid='preview-lines'] thead").InnerTextAsync();
        var charge = await page.Locator("[data-testid='preview-lines'] tbody tr").Nth(1).InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "portal-preview-promo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm the change" }).ClickAsync();
        var code = await (await app.Admin.GetAsync("/v1/admin/promotion-codes/SPRING20")).ReadAsync();

        Assert.Contains("Discount", header, StringComparison.Ordinal);
        Assert.Contains("-$", charge, StringComparison.Ordinal);
        Assert.Equal(1L, code["times_redeemed"].Value<long>());
    }

    [Fact]
    public async Task TheConsoleCreatesACouponAndACodeAndShowsHowOftenTheCodeWasRedeemed()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin/login");
        await page.FillAsync("#key", TollgateApp.AdminKey);
        await page.ClickAsync("button[type=submit]");

        await page.GotoAsync("/admin/coupons");
        await page.FillAsync("#id", "LAUNCH");
        await page.FillAsync("#name", "Launch 15%");
        await page.FillAsync("#percent_off", "15");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create coupon" }).ClickAsync();
        await page.FillAsync("#code", "HELLO15");
        await page.SelectOptionAsync("#coupon", "LAUNCH");
        await page.FillAsync("#code_max", "5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create code" }).ClickAsync();
        await app.CustomerAsync("ada");
        var subscribed = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "ada", plan = "pro", promotion_code = "hello15" });
        await page.GotoAsync("/admin/coupons");
        var coupon = await page.Locator("tr[data-coupon='LAUNCH']").InnerTextAsync();
        var redeemed = await page.Locator("tr[data-code='HELLO15'] [data-testid='redeemed']").InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-coupons");

        Assert.Equal(System.Net.HttpStatusCode.Created, subscribed.StatusCode);
        Assert.Contains("15%", coupon, StringComparison.Ordinal);
        Assert.Equal("1 / 5", redeemed.Trim());
    }
}
