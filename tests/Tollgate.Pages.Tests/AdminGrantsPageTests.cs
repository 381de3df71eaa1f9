using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>Granting credits from a customer's page in the admin console, in a real Chromium against a real server.</summary>
public sealed class AdminGrantsPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AnOperatorGrantsCreditsOnACustomersPageAndTheCustomerCanSpendThem()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero), kestrel: true);
        await app.CustomerAsync("lin");
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GotoAsync("/admin/customers/lin");
        await page.SelectOptionAsync("#grant-feature", "cv_generate");
        await page.FillAsync("#grant-amount", "25");
        await page.FillAsync("#grant-expires", "2026-04-30");
        await page.FillAsync("#grant-reason", "Sorry for the outage");
        await page.ClickAsync("button:text-is('Grant credits')");
        var notice = await page.Locator("[role='status']").InnerTextAsync();
        var row = await page.Locator("[data-testid='grants'] tbody tr").AllInnerTextsAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-grants");
        var listed = (await (await app.Admin.GetAsync("/v1/customers/lin/grants")).ReadAsync())["data"]![0]!;
        await app.ConsumeAsync("lin", "cv_generate", 2);
        var pastThePlan = await (await app.ConsumeAsync("lin", "cv_generate", 3)).ReadAsync();

        Assert.Equal("The credits were granted.", notice.Trim());
        Assert.Equal(["CV Generation", "25", "25", "Apr 30, 2026", "active", "Sorry for the outage"],
            row.Single().Split('\t').Select(c => c.Trim()));
        Assert.Equal((25L, "2026-04-30T00:00:00Z", "Sorry for the outage"),
            (listed["amount"].Value<long>(), listed["expires_at"].Value<string>(), listed["reason"].Value<string>()));
        Assert.Equal(("credit_grant", 22L), (pastThePlan["reason"].Value<string>(), pastThePlan["granted_remaining"].Value<long>()));
    }

    [Fact]
    public async Task AnOperatorGrantsLlmBudgetInUsdAndABadAmountNamesTheFieldAndWritesNothing()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.LlmCatalog(), new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero),
            kestrel: true);
        await app.CustomerAsync("c1");
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GotoAsync("/admin/customers/c1");
        await page.SelectOptionAsync("#grant-feature", "$llm_budget");
        await page.FillAsync("#grant-usd", "2.5.0");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button:text-is('Grant credits')"),
            r => r.Request.Method == "POST");
        var error = await page.Locator("main.narrow > p").InnerTextAsync();
        var none = (await (await app.Admin.GetAsync("/v1/customers/c1/grants")).ReadAsync())["data"]!.AsArray().Count;

        await page.GotoAsync("/admin/customers/c1");
        await page.SelectOptionAsync("#grant-feature", "$llm_budget");
        await page.FillAsync("#grant-usd", "2.50");
        await page.FillAsync("#grant-reason", "Model outage");
        await page.ClickAsync("button:text-is('Grant credits')");
        var row = await page.Locator("[data-testid='grants'] tbody tr").AllInnerTextsAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-grants-llm-budget");
        var listed = (await (await app.Admin.GetAsync("/v1/customers/c1/grants")).ReadAsync())["data"]![0]!;
        var budget = await (await app.Admin.GetAsync("/v1/customers/c1/llm-budget")).ReadAsync();

        Assert.Equal(400, refused.Status);
        Assert.StartsWith("USD (LLM budget): must be a decimal string of USD", error);
        Assert.Equal(0, none);
        Assert.Equal(["LLM budget (USD)", "$2.50", "$2.50", "never", "active", "Model outage"], row.Single().Split('\t').Select(c => c.Trim()));
        Assert.Equal(("$llm_budget", 2_500_000_000L), (listed["feature"].Value<string>(), listed["amount"].Value<long>()));
        Assert.Equal(2.5m, budget["granted_remaining_usd"].Value<decimal>());
    }
}
