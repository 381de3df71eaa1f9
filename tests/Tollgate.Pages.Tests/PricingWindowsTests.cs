using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>
/// The pricing page words each quota with its own window and shows rate limits, on the catalog docs' example plus a plan
/// with a lifetime and a billing-period quota.
/// </summary>
public sealed partial class PricingWindowsTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static async Task<TollgateApp> StartAsync()
    {
        var app = await TollgateApp.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = "none" }, kestrel: true);
        var catalog = JsonNode.Parse(JsonBlock().Match(File.ReadAllText(Path.Combine(Json.RepoRoot(), "docs", "catalog.md"))).Groups[1].Value)!;
        catalog["plans"]!.AsArray().Add(JsonNode.Parse("""
            { "code": "team", "name": "Team", "sort_order": 4, "prices": [ { "billing_period": "monthly", "price_cents": 9900 } ],
              "features": [ { "feature_code": "ats_scans", "limit": 100, "reset": "never" },
                            { "feature_code": "cv_generate", "limit": 40, "reset": "billing_period" } ] }
            """));
        var applied = await app.Admin.PutJsonAsync("/v1/admin/catalog", catalog.ToJsonString());
        applied.EnsureSuccessStatusCode();
        return app;
    }

    private static async Task<IReadOnlyList<string>> VisibleItemsAsync(IPage page, string plan) =>
        [.. (await page.Locator($"article.plan[data-plan='{plan}'] > ul > li").AllInnerTextsAsync()).Select(t => Regex.Replace(t, @"\s+", " ").Trim())];

    [Fact]
    public async Task EachQuotaReadsInItsOwnWindowInBothViewsWithItsRateLimit()
    {
        await using var app = await StartAsync();
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/pricing");

        var free = await VisibleItemsAsync(page, "free");
        var pro = await VisibleItemsAsync(page, "pro");
        var team = await VisibleItemsAsync(page, "team");
        await BrowserFixture.ScreenshotAsync(page, "pricing-windows");
        await page.GetByText("Yearly", new() { Exact = false }).First.ClickAsync();
        var proYearly = await VisibleItemsAsync(page, "pro");
        await BrowserFixture.ScreenshotAsync(page, "pricing-windows-yearly");

        Assert.Contains("1 scan a day (ATS Scans)", free);
        Assert.Contains("3 CVs a month (CV Generation)", free);
        Assert.Contains("API requests, up to 60 requests a minute", free);
        Assert.Contains("Data Retention", free);
        Assert.DoesNotContain(free, i => i.Contains("Not included", StringComparison.Ordinal));
        Assert.Contains("50 scans a week (ATS Scans)", pro);
        Assert.Contains("30 CVs a month (CV Generation), up to 5 requests a second", pro);
        Assert.Contains("API requests, up to 600 requests a minute", pro);
        Assert.Contains("Data Retention: 365 days", pro);
        Assert.Contains("100 scans in total (ATS Scans)", team);
        Assert.Contains("40 CVs per billing period (CV Generation)", team);
        Assert.Equal(pro, proYearly);
        Assert.DoesNotContain(proYearly, i => i.Contains("a year", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheComparisonTableSaysEachWindowAndRateLimit()
    {
        await using var app = await StartAsync();
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/pricing");

        var scans = await page.Locator("tr[data-feature='ats_scans'] td").AllInnerTextsAsync();
        var api = await page.Locator("tr[data-feature='api_requests'] td").AllInnerTextsAsync();
        await page.Locator("#compare").ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "pricing-windows-compare");

        Assert.Equal(["1 a day", "50 a week", "100 in total"], scans);
        Assert.Equal(["Included\nup to 60 requests a minute", "Included\nup to 600 requests a minute", "Not included"], api);
    }

    [GeneratedRegex("```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
