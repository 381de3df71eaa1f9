using Microsoft.Playwright;
using Tollgate.Server.Web.Admin;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>A customer's usage-history chart and the LLM call log in the console, in a real Chromium, checked against the API's answers.</summary>
public sealed class ConsoleUsageAndCallsTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ACustomersPageChartsDailyUsageWithZeroDaysAndSwitchesToMonths()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        await app.CustomerAsync("lin");
        await app.SubscribeAsync("lin", "pro", trialDays: 0);
        await app.ConsumeAsync("lin", "cv_generate", 3);
        await app.AdvanceAsync(TimeSpan.FromDays(2));
        await app.ConsumeAsync("lin", "cv_generate", 5);
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GotoAsync("/admin/customers/lin");
        var chart = page.Locator("[data-testid='usage-history']");
        var caption = await chart.Locator("figcaption").InnerTextAsync();
        var points = await chart.Locator("circle").CountAsync();
        var features = await chart.Locator(".legend span").CountAsync();
        var tenth = await chart.Locator("circle title").AllTextContentsAsync();
        var total = await chart.Locator("[data-feature='cv_generate']").InnerTextAsync();
        var clipped = await ConsolePages.ClippedChartTextAsync(page, "[data-testid='usage-history']");
        await BrowserFixture.ScreenshotAsync(page, "admin-customer-usage");
        var api = await (await app.Admin.GetAsync("/v1/customers/lin/usage/history?feature=cv_generate")).ReadAsync();
        await chart.GetByRole(AriaRole.Link, new() { Name = "12 months" }).ClickAsync();
        await page.ArrivedAsync(u => u.Contains("usage=month", StringComparison.Ordinal));
        var monthCaption = await chart.Locator("figcaption").InnerTextAsync();
        var monthPoints = await chart.Locator("circle").CountAsync();
        var monthTitles = await chart.Locator("circle title").AllTextContentsAsync();
        var monthClipped = await ConsolePages.ClippedChartTextAsync(page, "[data-testid='usage-history']");
        var bad = await page.GotoAsync("/admin/customers/lin?usage=week");
        var refusal = await page.Locator("[role='alert']").InnerTextAsync();

        Assert.Equal("Usage per feature by day, last 30 days", caption);
        Assert.Equal(1, features); // only the feature used in the range is drawn
        Assert.Equal(30, points);
        Assert.Equal(30, api["features"]!["cv_generate"]!.AsArray().Count);
        Assert.Contains("Mar 10 CV Generation: 3", tenth);
        Assert.Contains("Mar 11 CV Generation: 0", tenth);
        Assert.Contains("Mar 12 CV Generation: 5", tenth);
        Assert.Equal("CV Generation 8", total);
        Assert.Equal(8L, api["features"]!["cv_generate"]!.AsArray().Sum(p => p!["quantity"].Value<long>()));
        Assert.Empty(clipped);
        Assert.Equal("Usage per feature by month, last 12 months", monthCaption);
        Assert.Equal(12, monthPoints);
        Assert.Contains("Mar 2026 CV Generation: 8", monthTitles);
        Assert.Contains("Apr 2025 CV Generation: 0", monthTitles);
        Assert.Empty(monthClipped);
        Assert.Equal(400, bad!.Status);
        Assert.Contains("usage: must be day or month", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCallLogListsCallsNewestFirstAPageAtATimeWithTheApisCostAndFilters()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.LlmCatalog(), Start, kestrel: true);
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        foreach (var (customer, request, model) in new[] { ("c1", "r1", "gpt-4o-mini"), ("c2", "r2", "gpt-4o"), ("c1", "r3", "gpt-4o") })
        {
            await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer, feature = "chat", model, input_tokens = 1200, output_tokens = 300, request_id = request });
            await app.AdvanceAsync(TimeSpan.FromMinutes(1));
        }

        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GetByRole(AriaRole.Link, new() { Name = "LLM calls" }).ClickAsync();
        await page.ArrivedAsync("**/admin/llm-calls");
        var all = await CallsAsync(page);
        await page.GotoAsync("/admin/llm-calls?limit=2");
        var first = await CallsAsync(page);
        var newest = await page.Locator("tr[data-call='r3'] td").AllInnerTextsAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-llm-calls");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page →" }).ClickAsync();
        await page.ArrivedAsync(u => u.Contains("cursor=", StringComparison.Ordinal));
        var second = await CallsAsync(page);
        await page.GotoAsync("/admin/customers/c1");
        await page.GetByRole(AriaRole.Link, new() { Name = "LLM calls", Exact = true }).Last.ClickAsync();
        await page.ArrivedAsync(u => u.Contains("customer=c1", StringComparison.Ordinal));
        var forC1 = await CallsAsync(page);
        await page.FillAsync("#model", "gpt-4o");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.ArrivedAsync(u => u.Contains("model=gpt-4o", StringComparison.Ordinal));
        var c1OnGpt4o = await CallsAsync(page);
        var bad = await page.GotoAsync("/admin/llm-calls?from=soon&cursor=zz");
        var refusal = await page.Locator("[role='alert']").InnerTextAsync();
        var api = (await (await app.Admin.GetAsync("/v1/llm/calls?limit=1")).ReadAsync())["data"]![0]!;

        Assert.Equal(["r3", "r2", "r1"], all);
        Assert.Equal(["r3", "r2"], first);
        Assert.Equal(["r1"], second);
        Assert.Equal(["r1", "r3"], forC1.Order(StringComparer.Ordinal));
        Assert.Equal(["r3"], c1OnGpt4o);
        Assert.Equal(["c1", "chat", "1,200", "300", "0", ConsoleMoney.Usd(api["cost_usd"].Value<decimal>()), api["price_id"]?.Value<string>() ?? "–",
            api["plan"]?.Value<string>() ?? "–"], newest.Skip(1).Where((_, i) => i != 2).Select(c => c.Trim()));
        Assert.StartsWith("gpt-4o", newest[3].Trim(), StringComparison.Ordinal);
        Assert.Equal(400, bad!.Status);
        Assert.Contains("from: must be an ISO 8601 instant or date", refusal, StringComparison.Ordinal);
    }

    private static async Task<string[]> CallsAsync(IPage page) =>
        await page.Locator("tr[data-call]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.call)");
}
