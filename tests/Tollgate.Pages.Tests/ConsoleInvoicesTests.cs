using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The console's invoices in a real Chromium: the list by status and customer a page at a time, an invoice's page, Mark paid and Void.</summary>
public sealed class ConsoleInvoicesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    private static async Task<TollgateApp> StartAsync()
    {
        var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        foreach (var (customer, plan) in new[] { ("ada", "pro"), ("bob", "basic"), ("cy", "basic") })
        {
            await app.CustomerAsync(customer);
            await app.SubscribeAsync(customer, plan, trialDays: 0); // each subscription opens an invoice, sent to be paid
            await app.AdvanceAsync(TimeSpan.FromMinutes(1));
        }

        return app;
    }

    private static async Task<string> StatusAsync(TollgateApp app, string invoice) =>
        (await (await app.Admin.GetAsync($"/v1/invoices/{invoice}")).ReadAsync())["status"].Value<string>()!;

    [Fact]
    public async Task AnOperatorFindsAnInvoiceFromTheCustomerAndTheListAndMarksItPaidOrVoidsItAsTheApiWould()
    {
        await using var app = await StartAsync();
        var ada = (await app.InvoicesAsync("ada"))[0]["id"].Value<string>()!;
        var bob = (await app.InvoicesAsync("bob"))[0]["id"].Value<string>()!;
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        var dashboardLinks = await page.Locator("[data-testid='open-invoices'] tbody a[href^='/admin/invoices/']").CountAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Invoices", Exact = true }).ClickAsync();
        await page.ArrivedAsync("**/admin/invoices");
        var everyone = await InvoicesAsync(page);
        await page.GotoAsync("/admin/invoices?limit=2");
        var first = await InvoicesAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "admin-invoices");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page →" }).ClickAsync();
        await page.ArrivedAsync(u => u.Contains("cursor=", StringComparison.Ordinal));
        var second = await InvoicesAsync(page);
        await page.FillAsync("#customer", "bob");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.ArrivedAsync(u => u.Contains("customer=bob", StringComparison.Ordinal));
        var bobs = await InvoicesAsync(page);

        await page.GotoAsync("/admin/customers/ada");
        await page.Locator("section:has(h2:text-is('Invoices')) tbody a").ClickAsync();
        await page.ArrivedAsync($"**/admin/invoices/{ada}");
        var lines = await page.Locator("[data-testid='lines'] tbody td:first-child").AllInnerTextsAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-invoice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark paid" }).ClickAsync();
        await page.ArrivedAsync("**?done=paid");
        var paidNotice = await page.Locator("[role='status']").InnerTextAsync();
        var paidShown = await page.Locator("[data-testid='invoice-status']").InnerTextAsync();
        var paidButtons = await page.GetByRole(AriaRole.Button, new() { Name = "Mark paid" }).CountAsync();

        await page.GotoAsync($"/admin/invoices/{bob}");
        await page.ClickAsync("[data-testid='void'] summary");
        await page.GetByRole(AriaRole.Button, new() { Name = "Void invoice" }).ClickAsync();
        await page.ArrivedAsync("**?done=voided");
        var voidedShown = await page.Locator("[data-testid='invoice-status']").InnerTextAsync();
        await page.GotoAsync("/admin/invoices?status=open");
        var stillOpen = await InvoicesAsync(page);

        Assert.Equal(3, dashboardLinks);
        Assert.Equal(3, everyone.Length);
        Assert.Equal(everyone[..2], first);
        Assert.Equal(everyone[2..], second);
        Assert.Equal([bob], bobs);
        Assert.Equal(["Pro (monthly)"], lines); // the plan's name, where billing wrote its code
        Assert.Equal("The invoice was marked paid.", paidNotice.Trim());
        Assert.Equal(("paid", "paid", 0), (paidShown.Trim(), await StatusAsync(app, ada), paidButtons));
        Assert.Equal(("void", "void"), (voidedShown.Trim(), await StatusAsync(app, bob)));
        Assert.Single(stillOpen);
    }

    [Fact]
    public async Task AForgedMarkPaidChangesNothingAndABadFilterIsNamedWithA400()
    {
        await using var app = await StartAsync();
        var ada = (await app.InvoicesAsync("ada"))[0]["id"].Value<string>()!;
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);

        await page.GotoAsync($"/admin/invoices/{ada}");
        await page.EvaluateAsync("""
            () => { const form = document.querySelector('form[action$="/mark-paid"]'); form.querySelector('[name=csrf]').value = 'forged'; form.submit(); }
            """);
        await page.ArrivedAsync("**/admin/login");
        var bad = await ConsolePages.SignInAsync(context);
        var refused = await bad.GotoAsync("/admin/invoices?status=late&cursor=zz");
        var refusal = await bad.Locator("[role='alert']").InnerTextAsync();
        var missing = await bad.GotoAsync("/admin/invoices/in_missing");
        await using var phone = await browser.ContextAsync(app.BaseAddress!, phone: true);
        var small = await ConsolePages.SignInAsync(phone);
        var overflowing = new List<string>();
        foreach (var (name, path) in new[] { ("admin-invoices", "/admin/invoices"), ("admin-invoice", $"/admin/invoices/{ada}") })
        {
            await small.GotoAsync(path);
            await BrowserFixture.ScreenshotAsync(small, name, phone: true);
            if (!await small.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"))
            {
                overflowing.Add(name);
            }
        }

        Assert.Equal("open", await StatusAsync(app, ada));
        Assert.Equal(400, refused!.Status);
        Assert.Contains("status: must be one of draft, open, paid, void, uncollectible", refusal, StringComparison.Ordinal);
        Assert.Equal(404, missing!.Status);
        Assert.Empty(overflowing);
    }

    private static async Task<string[]> InvoicesAsync(IPage page) =>
        await page.Locator("tr[data-invoice]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.invoice)");
}
