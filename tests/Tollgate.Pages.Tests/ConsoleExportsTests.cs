using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The console's export buttons, clicked in a real Chromium: the file downloads, and a bad range is named on the page.</summary>
public sealed class ConsoleExportsTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TheLlmCallsButtonDownloadsTheCallLogAsCsvAndABadRangeIsNamed()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.LlmCatalog(), Start, kestrel: true);
        await app.CustomerAsync("c1");
        await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", feature = "chat", model = "gpt-4o-mini", input_tokens = 100, output_tokens = 50,
            request_id = "r1" });
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin/exports");
        await page.FillAsync("#key", TollgateApp.AdminKey);
        await page.ClickAsync("button[type=submit]");
        await page.ArrivedAsync("**/admin");

        await page.GetByRole(AriaRole.Link, new() { Name = "Exports" }).ClickAsync();
        await page.ArrivedAsync("**/admin/exports");
        await BrowserFixture.ScreenshotAsync(page, "admin-exports");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-export='llm-calls']"));
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        await page.FillAsync("#from", "2026-03-01");
        await page.FillAsync("#to", "2026-02-01");
        await page.ClickAsync("[data-export='invoices']");
        var refusal = await page.Locator("[role='alert']").InnerTextAsync();

        Assert.Equal("tollgate-llm-calls-beginning-20260310.csv", download.SuggestedFilename);
        Assert.StartsWith("occurred_at,customer_id,request_id,feature_code,model,", csv, StringComparison.Ordinal);
        Assert.Contains("2026-03-10T09:00:00.000Z,c1,r1,chat,gpt-4o-mini,", csv, StringComparison.Ordinal);
        Assert.Contains("to: must be after from", refusal, StringComparison.Ordinal);
    }
}
