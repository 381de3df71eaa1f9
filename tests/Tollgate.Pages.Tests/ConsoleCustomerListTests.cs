using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The console's customer list in a real Chromium: keyset pages carrying the cursor and filters, escaping, and bad parameters named.</summary>
public sealed class ConsoleCustomerListTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AnOperatorPagesThroughCustomersNewestFirstAndTheFiltersRideAlongWithTheCursor()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        foreach (var id in new[] { "ada", "bea", "bob", "cy" })
        {
            await app.CustomerAsync(id);
            await app.AdvanceAsync(TimeSpan.FromMinutes(1));
        }

        await app.SubscribeAsync("bea", "pro", trialDays: 0);
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).ClickAsync();
        await page.ArrivedAsync("**/admin/customers");
        var everyone = await ConsolePages.FirstCellsAsync(page, "tr[data-customer]");
        await page.GotoAsync("/admin/customers?limit=2");
        var first = await ConsolePages.FirstCellsAsync(page, "tr[data-customer]");
        await BrowserFixture.ScreenshotAsync(page, "admin-customers-paged");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page →" }).ClickAsync();
        await page.ArrivedAsync(u => u.Contains("cursor=", StringComparison.Ordinal));
        var second = await ConsolePages.FirstCellsAsync(page, "tr[data-customer]");
        var secondUrl = page.Url;
        var nextOnLast = await page.GetByRole(AriaRole.Link, new() { Name = "Next page →" }).CountAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "← First page" }).ClickAsync();
        await page.ArrivedAsync(u => !u.Contains("cursor=", StringComparison.Ordinal));
        var backAtFirst = await ConsolePages.FirstCellsAsync(page, "tr[data-customer]");

        await page.GotoAsync("/admin/customers?limit=1");
        await page.FillAsync("#q", "B");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.ArrivedAsync(u => u.Contains("q=B", StringComparison.Ordinal));
        var startingWithB = await ConsolePages.FirstCellsAsync(page, "tr[data-customer]");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page →" }).ClickAsync();
        await page.ArrivedAsync(u => u.Contains("q=B", StringComparison.Ordinal) && u.Contains("cursor=", StringComparison.Ordinal));
        var startingWithBNext = await ConsolePages.FirstCellsAsync(page, "tr[data-customer]");
        var nextAfterB = await page.GetByRole(AriaRole.Link, new() { Name = "Next page →" }).CountAsync();
        await page.SelectOptionAsync("#status", "active");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.ArrivedAsync(u => u.Contains("status=active", StringComparison.Ordinal));
        var active = await ConsolePages.FirstCellsAsync(page, "tr[data-customer]");
        var api = (await (await app.Admin.GetAsync("/v1/customers?limit=2")).ReadAsync())["data"]!.AsArray().Select(c => c!["id"].Value<string>());

        Assert.Equal(["cy", "bob", "bea", "ada"], everyone);
        Assert.Equal(["cy", "bob"], first);
        Assert.Equal(api, first);
        Assert.Equal(["bea", "ada"], second);
        Assert.Contains("cursor=", secondUrl, StringComparison.Ordinal);
        Assert.Contains("limit=2", secondUrl, StringComparison.Ordinal);
        Assert.Equal(0, nextOnLast);
        Assert.Equal(first, backAtFirst);
        Assert.Equal(["bob"], startingWithB);
        Assert.Equal(["bea"], startingWithBNext);
        Assert.Equal(0, nextAfterB);
        Assert.Equal(["bea"], active);
    }

    [Fact]
    public async Task WhatACustomerOrOperatorTypedIsShownAsTextNeverAsMarkup()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        const string name = "<img src=x onerror=\"document.title='pwned'\"><b>Bold</b>";
        await app.Admin.PutJsonAsync("/v1/customers/eve", new { email = "eve@example.com", name });
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GotoAsync("/admin/customers?q=" + Uri.EscapeDataString("\"><b>typed</b>"));
        var typed = await page.InputValueAsync("#q");
        var injectedBold = await page.Locator("main form b").CountAsync();
        await page.GotoAsync("/admin/customers?q=eve");
        var shownName = await page.Locator("tr[data-customer='eve'] td").Nth(2).InnerTextAsync();
        var injected = await page.Locator("main img, main b").CountAsync();
        await page.GotoAsync("/admin/customers/eve");
        var heading = await page.Locator("h1").InnerTextAsync();
        var injectedOnDetail = await page.Locator("main img, main h1 b").CountAsync();
        await page.GotoAsync("/admin/llm-calls?feature=" + Uri.EscapeDataString("<i>chat</i>"));
        var feature = await page.InputValueAsync("#feature");
        await BrowserFixture.ScreenshotAsync(page, "admin-llm-calls-escaped");
        var title = await page.TitleAsync();

        Assert.Equal("\"><b>typed</b>", typed);
        Assert.Equal(0, injectedBold);
        Assert.Equal(name, shownName);
        Assert.Equal(0, injected);
        Assert.Equal(name, heading);
        Assert.Equal(0, injectedOnDetail);
        Assert.Equal("<i>chat</i>", feature);
        Assert.DoesNotContain("pwned", title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadCursorOrFilterIsNamedOnThePageWithA400()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        await app.CustomerAsync("ada");
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        var cursor = await page.GotoAsync("/admin/customers?cursor=not-a-cursor");
        var cursorRefusal = await page.Locator("[role='alert']").InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-customers-bad-cursor");
        var status = await page.GotoAsync("/admin/customers?status=sleeping&limit=500");
        var statusRefusal = await page.Locator("[role='alert']").InnerTextAsync();

        Assert.Equal(400, cursor!.Status);
        Assert.Contains("cursor: is not a cursor this list handed out", cursorRefusal, StringComparison.Ordinal);
        Assert.Equal(400, status!.Status);
        Assert.Contains("status: must be one of trialing, active, past_due, canceled, incomplete", statusRefusal, StringComparison.Ordinal);
    }
}
