using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>
/// The portal's and the console's cancel ask why (Stripe's feedback set) and keep the answer, in a real Chromium; a
/// Stripe-billed subscription is canceled through Stripe from either.
/// </summary>
public sealed class CancelReasonPagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    private static async Task<TollgateApp> SubscribedAsync(string customer)
    {
        var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.CatalogOf("cancel-pages", Catalogs.Billing), Start, kestrel: true);
        await app.CustomerAsync(customer);
        await app.SubscribeAsync(customer, "pro");
        return app;
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> LiveAsync(TollgateApp app, string customer) =>
        (await app.Admin.ReadAllAsync($"/v1/customers/{customer}/subscriptions")).Single()!;

    [Fact]
    public async Task ACustomerCancelsInThePortalWithAReasonAndACommentAndAForgedPostCancelsNothing()
    {
        await using var app = await SubscribedAsync("ada");
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        var link = (await (await app.Admin.PostJsonAsync("/v1/customers/ada/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        await page.GotoAsync(new Uri(link).PathAndQuery);

        await page.ClickAsync("[data-testid='cancel'] summary");
        var reasons = await page.Locator("#cancel-reason option").AllInnerTextsAsync();
        await page.EvaluateAsync("""
            () => { const form = document.querySelector('form[action="/portal/cancel"]'); form.querySelector('[name=csrf]').value = 'forged';
              form.querySelector('[name=reason]').value = 'unused'; form.submit(); }
            """);
        await page.ArrivedAsync("**/portal/cancel");
        var forged = await page.Locator("h1").InnerTextAsync();
        var untouched = await LiveAsync(app, "ada");
        await page.GotoAsync("/portal");
        await page.ClickAsync("[data-testid='cancel'] summary");
        await page.SelectOptionAsync("#cancel-reason", "missing_features");
        await page.FillAsync("#cancel-comment", "We need SAML single sign-on.");
        await BrowserFixture.ScreenshotAsync(page, "portal-cancel");
        await page.ClickAsync("button:text-is('Cancel at period end')");
        await page.ArrivedAsync("**/portal?notice=canceled");
        var canceled = await LiveAsync(app, "ada");

        Assert.Equal(["Choose a reason…", "It's too expensive", "Some features are missing", "I'm switching to a different service",
            "I don't use the service enough", "Customer service was less than expected", "Ease of use was less than expected",
            "Quality was less than expected", "Other reason"], reasons.Select(r => r.Trim()));
        Assert.Equal("Open the portal from your account", forged.Trim());
        Assert.Equal((false, null), (untouched["cancel_at_period_end"].Value<bool>(), untouched["cancel_reason"].Value<string>()));
        Assert.Equal((true, "missing_features", "We need SAML single sign-on."),
            (canceled["cancel_at_period_end"].Value<bool>(), canceled["cancel_reason"].Value<string>(), canceled["cancel_comment"].Value<string>()));
    }

    [Fact]
    public async Task AStripeBilledCustomerCancelsInThePortalThroughStripeWhichIsToldTheReasonAndComment()
    {
        await using var h = await PaymentsHarness.StartAsync(StoreKind.Sqlite, kestrel: true);
        await h.App.CustomerAsync("grace");
        var stripe = await h.SubscribeAsync("grace", "pro");
        await using var context = await browser.ContextAsync(h.App.BaseAddress!);
        var page = await context.NewPageAsync();
        var link = (await (await h.App.Admin.PostJsonAsync("/v1/customers/grace/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        await page.GotoAsync(new Uri(link).PathAndQuery);

        await page.ClickAsync("[data-testid='cancel'] summary");
        await page.SelectOptionAsync("#cancel-reason", "switched_service");
        await page.FillAsync("#cancel-comment", "Moved to an in-house tool.");
        await page.ClickAsync("button:text-is('Cancel at period end')");
        await page.ArrivedAsync("**/portal?notice=canceled");
        var shown = await page.Locator("main").InnerTextAsync();
        var canceled = await LiveAsync(h.App, "grace");

        var call = h.Stripe.Requests.Single(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{stripe["id"]}");
        Assert.Equal(("true", "switched_service", "Moved to an in-house tool."),
            (call.Form["cancel_at_period_end"], call.Form["cancellation_details[feedback]"], call.Form["cancellation_details[comment]"]));
        Assert.True(h.Stripe.Subscription(stripe["id"]!.GetValue<string>())["cancel_at_period_end"]!.GetValue<bool>());
        Assert.Equal((true, "switched_service", "Moved to an in-house tool."),
            (canceled["cancel_at_period_end"].Value<bool>(), canceled["cancel_reason"].Value<string>(), canceled["cancel_comment"].Value<string>()));
        Assert.Contains("Ends on", shown, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("[data-testid='cancel']").CountAsync());
    }

    [Fact]
    public async Task KeepingASubscriptionFromAPageOpenedBeforeItWasKeptElsewhereSaysWhyNothingChanged()
    {
        await using var app = await SubscribedAsync("mo");
        var id = (await LiveAsync(app, "mo"))["id"].Value<string>()!;
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true, reason = "unused" });
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        var link = (await (await app.Admin.PostJsonAsync("/v1/customers/mo/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        await page.GotoAsync(new Uri(link).PathAndQuery);

        var kept = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/undo-cancel", new { });
        await page.ClickAsync("button:text-is('Keep my subscription')");
        var title = await page.Locator("h1").InnerTextAsync();
        var shown = await page.Locator("main p").InnerTextAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal("This change is not possible", title.Trim());
        Assert.Equal("The subscription is not set to cancel at the period end.", shown.Trim());
        Assert.False((await LiveAsync(app, "mo"))["cancel_at_period_end"].Value<bool>());
    }

    [Fact]
    public async Task AnOperatorCancelsNowFromTheConsoleWithTheReasonTheCustomerGaveAndWithoutOneIsAskedForIt()
    {
        await using var app = await SubscribedAsync("lin");
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await ConsolePages.SignInAsync(context);
        await page.GotoAsync("/admin/customers/lin");

        await page.ClickAsync("[data-testid='cancel'] summary");
        await page.EvaluateAsync("() => document.querySelector('#cancel-reason').removeAttribute('required')");
        await page.ClickAsync("button:text-is('Cancel subscription')");
        var refused = await page.Locator("main").InnerTextAsync();
        var untouched = await LiveAsync(app, "lin");
        await page.GotoAsync("/admin/customers/lin");
        await page.ClickAsync("[data-testid='cancel'] summary");
        await page.SelectOptionAsync("#cancel-reason", "too_expensive");
        await page.FillAsync("#cancel-comment", "Budget cut for Q2");
        await page.SelectOptionAsync("#cancel-when", "now");
        await BrowserFixture.ScreenshotAsync(page, "admin-customer-cancel");
        await page.ClickAsync("button:text-is('Cancel subscription')");
        var notice = await page.Locator("[role='status']").InnerTextAsync();
        var ended = await LiveAsync(app, "lin");

        Assert.Contains("Choose why the subscription is canceled.", refused, StringComparison.Ordinal);
        Assert.Equal("active", untouched["status"].Value<string>());
        Assert.Equal("The subscription was canceled.", notice.Trim());
        Assert.Equal(("canceled", "too_expensive", "Budget cut for Q2"),
            (ended["status"].Value<string>(), ended["cancel_reason"].Value<string>(), ended["cancel_comment"].Value<string>()));
    }
}
