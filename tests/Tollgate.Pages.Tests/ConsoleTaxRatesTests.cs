using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The console's tax rates page, in a real Chromium: create a rate, see it, deactivate it.</summary>
public sealed class ConsoleTaxRatesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TheConsoleCreatesARateThatTheApiListsAndDeactivatesIt()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        await app.Admin.PostJsonAsync("/v1/admin/tax-rates", new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin/login");
        await page.FillAsync("#key", TollgateApp.AdminKey);
        await page.ClickAsync("button[type=submit]");

        await page.GotoAsync("/admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Tax rates" }).ClickAsync();
        await page.FillAsync("#id", "us_tx");
        await page.FillAsync("#name", "Texas sales tax");
        await page.FillAsync("#percentage", "6.25");
        await page.FillAsync("#country", "us");
        await page.FillAsync("#state", "TX");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tax rate" }).ClickAsync();
        await page.ArrivedAsync("**/admin/tax-rates?done=created");
        var created = await page.Locator("tr[data-rate='us_tx']").InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-tax-rates");
        await page.GetByRole(AriaRole.Button, new() { Name = "Deactivate gb_vat" }).ClickAsync();
        await page.ArrivedAsync("**/admin/tax-rates?done=deactivated");
        var state = await page.Locator("tr[data-rate='gb_vat'] [data-testid='state']").InnerTextAsync();
        var read = await (await app.Admin.GetAsync("/v1/admin/tax-rates/us_tx")).ReadAsync();
        var vat = await (await app.Admin.GetAsync("/v1/admin/tax-rates/gb_vat")).ReadAsync();

        Assert.Contains("Texas sales tax 6.25%", created, StringComparison.Ordinal);
        Assert.Contains("US, TX", created, StringComparison.Ordinal);
        Assert.Equal((6.25m, false, "US", "TX", true), (read["percentage"].Value<decimal>(), read["inclusive"].Value<bool>(),
            read["country"].Value<string>(), read["state"].Value<string>(), read["active"].Value<bool>()));
        Assert.Equal("inactive", state.Trim());
        Assert.False(vat["active"].Value<bool>());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Deactivate gb_vat" }).CountAsync());
    }
}
