using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>The pricing page, the customer portal and the admin console, driven in a real Chromium against a real server.</summary>
public sealed class PagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    private static Task<TollgateApp> StartAsync() => TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);

    private static async Task<string> PortalLinkAsync(TollgateApp app, string customer)
    {
        var created = await (await app.Admin.PostJsonAsync($"/v1/customers/{customer}/portal-sessions", new { return_url = "https://app.example.com/account" }))
            .ReadAsync();
        return new Uri(created["url"].Value<string>()!).PathAndQuery;
    }

    [Fact]
    public async Task TheToggleSwitchesEveryPriceToYearlyAndBack()
    {
        await using var app = await StartAsync();
        var plans = (await app.Anonymous.GetFromJsonAsync<JsonArray>("/v1/pricing/plans"))!;
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/pricing");
        var monthly = await page.Locator("article.plan [data-price='monthly']").AllInnerTextsAsync();
        await page.GetByText("Yearly", new() { Exact = false }).First.ClickAsync();
        var yearly = await page.Locator("article.plan [data-price='yearly']").AllInnerTextsAsync();
        var monthlyHidden = await page.Locator("article.plan [data-price='monthly']").First.IsHiddenAsync();
        await BrowserFixture.ScreenshotAsync(page, "pricing-yearly");

        string Expected(JsonNode plan, string period)
        {
            var price = plan["prices"]!.AsArray().FirstOrDefault(p => p!["billing_period"].Value<string>() == period);
            return price is null || price["price_cents"].Value<long>() == 0 ? "Free" : $"{price["display_price"].Value<string>()} / {(period == "yearly" ? "year" : "month")}";
        }

        Assert.Equal(plans.Select(p => Expected(p!, "monthly")), monthly.Select(Normalize));
        Assert.Equal(plans.Select(p => Expected(p!, "yearly")), yearly.Select(Normalize));
        Assert.True(monthlyHidden);
        Assert.Contains("Save 17%", await page.Locator(".period-toggle").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("Pro", await page.Locator("article.plan.popular h2").InnerTextAsync());
    }

    [Fact]
    public async Task TheToggleWorksFromTheKeyboard()
    {
        await using var app = await StartAsync();
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/pricing");

        await page.FocusAsync("#period-monthly");
        await page.Keyboard.PressAsync("ArrowRight");

        Assert.Equal("yearly", await page.Locator("main").GetAttributeAsync("data-period"));
        Assert.True(await page.Locator("article.plan[data-plan='pro'] [data-price='yearly']").IsVisibleAsync());
    }

    [Fact]
    public async Task TheComparisonTableMatchesTheCatalog()
    {
        await using var app = await StartAsync();
        var compare = (await app.Anonymous.GetFromJsonAsync<JsonObject>("/v1/pricing/compare"))!;
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/pricing");

        foreach (var row in compare["rows"]!.AsArray())
        {
            var cells = await page.Locator($"tr[data-feature='{row!["feature_code"].Value<string>()}'] td").AllInnerTextsAsync();
            Assert.Equal(row["cells"]!.AsArray().Select(c => c!["display_terms"].Value<string>()), cells);
        }

        Assert.Equal(compare["plans"]!.AsArray().Select(p => p!["name"].Value<string>()), await page.Locator("thead th[data-plan]").AllInnerTextsAsync());
        await BrowserFixture.ScreenshotAsync(page, "pricing");
        await using var phone = await browser.ContextAsync(app.BaseAddress!, phone: true);
        var small = await phone.NewPageAsync();
        await small.GotoAsync("/pricing");
        await BrowserFixture.ScreenshotAsync(small, "pricing", phone: true);
        Assert.True(await small.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
    }

    [Fact]
    public async Task TheEmbedSnippetShowsThePricingPageInTheHostsBrandColour()
    {
        await using var app = await StartAsync();
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/healthz");

        await page.SetContentAsync($"""<h1>Host site</h1><script src="{app.BaseAddress}pricing/embed.js" data-brand="#0f766e" data-currency="USD"></script>""");
        var frame = page.FrameLocator("iframe");
        var button = frame.Locator("article.plan a.cta").First;
        await button.WaitForAsync();

        Assert.Equal("rgb(15, 118, 110)", await button.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        Assert.Contains("currency=USD", await page.Locator("iframe").GetAttributeAsync("src"), StringComparison.Ordinal); // it passed no currency
    }

    [Fact]
    public async Task APortalLinkShowsLiveUsageAfterAConsumeThroughTheApi()
    {
        await using var app = await StartAsync();
        await app.CustomerAsync("ada");
        await app.ConsumeAsync("ada", "career_chat_messages", 3);
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync(await PortalLinkAsync(app, "ada"));
        var before = await page.Locator("[data-feature='career_chat_messages'] [data-testid='used']").InnerTextAsync();
        await app.ConsumeAsync("ada", "career_chat_messages", 5);
        await page.ReloadAsync();
        var after = await page.Locator("[data-feature='career_chat_messages'] [data-testid='used']").InnerTextAsync();
        var alert = await page.Locator("[data-alert]").First.InnerTextAsync();

        Assert.Equal("3 of 10 messages", before);
        Assert.Equal("8 of 10 messages", after);
        Assert.Contains("You have used 8 of 10 messages this month.", alert, StringComparison.Ordinal);
        Assert.Equal("https://app.example.com/account", await page.GetByText("Back to the app").GetAttributeAsync("href"));
        await BrowserFixture.ScreenshotAsync(page, "portal");
    }

    [Fact]
    public async Task APlanChangeShowsThePreviewAndThenTheNewPlan()
    {
        await using var app = await StartAsync();
        await app.CustomerAsync("ada");
        await app.SubscribeAsync("ada", "basic", trialDays: 0);
        await app.AdvanceAsync(TimeSpan.FromDays(10));
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync(await PortalLinkAsync(app, "ada"));

        await page.Locator("[data-choice='pro:monthly']").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview the change" }).ClickAsync();
        var summary = await page.Locator("[data-testid='preview-summary']").InnerTextAsync();
        var lines = await page.Locator("[data-testid='preview-lines'] tbody tr").AllInnerTextsAsync();
        await BrowserFixture.ScreenshotAsync(page, "portal-preview");
        await using var phone = await browser.ContextAsync(app.BaseAddress!, phone: true);
        var small = await phone.NewPageAsync();
        await small.GotoAsync(await PortalLinkAsync(app, "ada"));
        await small.Locator("[data-choice='pro:monthly']").ClickAsync();
        await small.GetByRole(AriaRole.Button, new() { Name = "Preview the change" }).ClickAsync(); // a preview changes nothing
        await BrowserFixture.ScreenshotAsync(small, "portal-preview", phone: true);
        var previewFitsPhone = await small.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm the change" }).ClickAsync();
        var plan = await page.Locator("[data-testid='current-plan']").InnerTextAsync();

        Assert.True(previewFitsPhone, "the preview scrolls sideways on a phone");
        Assert.Contains("takes effect now", summary, StringComparison.Ordinal);
        Assert.Equal(3, lines.Count); // credit for unused Basic, charge for the rest of the period on Pro, total
        Assert.Contains("Unused time on Basic", lines[0], StringComparison.Ordinal); // the plan's name, where billing wrote its code
        Assert.StartsWith("Pro · $29.99 a month", plan, StringComparison.Ordinal);
        Assert.Contains("Your plan was changed.", await page.Locator("[role='status']").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithStripeAPaidPlanChosenInThePortalGoesToCheckoutAndAStripeSubscriptionIsManagedInStripe()
    {
        await using var h = await PaymentsHarness.StartAsync(StoreKind.Sqlite, kestrel: true);
        await h.App.CustomerAsync("ada");
        await h.App.CustomerAsync("grace");
        await h.SubscribeAsync("grace", "pro");
        // Stripe's hosted pages are stood in for (StripeHostedPages): the browser must reach them, not what they show.
        await using var context = await browser.ContextAsync(h.App.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync(await PortalLinkAsync(h.App, "ada"));
        await page.Locator("[data-choice='basic:monthly']").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview the change" }).ClickAsync();
        var summary = await page.Locator("[data-testid='preview-summary']").InnerTextAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        await page.ArrivedAsync("https://checkout.stripe.com/**");
        var checkout = h.Stripe.Requests.Last(r => r.Path == "/v1/checkout/sessions");
        var linked = await context.NewPageAsync();
        await linked.GotoAsync(await PortalLinkAsync(h.App, "grace"));
        var notice = await linked.Locator("#change").InnerTextAsync();
        await linked.GetByRole(AriaRole.Button, new() { Name = "Open the Stripe billing portal" }).ClickAsync();
        await linked.ArrivedAsync("https://billing.stripe.com/**");

        Assert.Contains("Stripe's secure checkout", summary, StringComparison.Ordinal);
        Assert.Equal(("ada", "price_basic_monthly"), (checkout.Form["client_reference_id"], checkout.Form["line_items[0][price]"]));
        Assert.Contains("billed through Stripe", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredPortalLinkIsRefused()
    {
        await using var app = await StartAsync();
        await app.CustomerAsync("ada");
        var link = await PortalLinkAsync(app, "ada");
        await app.AdvanceAsync(TimeSpan.FromMinutes(11));
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(link);
        var title = await page.Locator("h1").InnerTextAsync();
        var tampered = await page.GotoAsync(link[..^3] + "abc");
        var tamperedTitle = await page.Locator("h1").InnerTextAsync();
        var portal = await page.GotoAsync("/portal");

        Assert.Equal((403, "This link has expired"), (response!.Status, title));
        Assert.Equal((403, "This link is not valid"), (tampered!.Status, tamperedTitle));
        Assert.Equal(401, portal!.Status);
    }

    [Fact]
    public async Task AdminSignInFailsWithAWrongKeyAndShowsTheDashboardsChartsWithTheRightOne()
    {
        await using var app = await StartAsync();
        await SeedActivityAsync(app);
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/admin");
        var redirected = page.Url;
        await page.FillAsync("#key", "tg_admin_not_a_real_key_at_all");
        await page.ClickAsync("button[type=submit]");
        var refusal = await page.Locator("[role='alert']").InnerTextAsync();
        await page.FillAsync("#key", TollgateApp.AdminKey);
        await page.ClickAsync("button[type=submit]");
        await page.ArrivedAsync("**/admin");

        var charts = await page.Locator("figure.chart").CountAsync();
        var mrrPoints = await page.Locator("figure.chart:has(figcaption:text-is('MRR by month')) circle").CountAsync();
        var costBars = await page.Locator("figure.chart:has(figcaption:text-is('LLM cost by model, 30 days')) svg > rect").CountAsync(); // the bars, not the labels' clip
        var mrr = await page.Locator("[data-kpi='mrr']").InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-dashboard");
        await using var phone = await browser.ContextAsync(app.BaseAddress!, phone: true);
        await phone.AddCookiesAsync((await context.CookiesAsync()).Select(c => new Cookie
        {
            Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
        }));
        var small = await phone.NewPageAsync();
        await small.GotoAsync("/admin");
        await BrowserFixture.ScreenshotAsync(small, "admin-dashboard", phone: true);
        var fitsPhone = await small.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth");

        Assert.EndsWith("/admin/login", redirected, StringComparison.Ordinal);
        Assert.Contains("not an active admin key", refusal, StringComparison.Ordinal);
        Assert.True(charts >= 7, $"{charts} charts");
        Assert.True(mrrPoints >= 3, $"{mrrPoints} MRR points");
        Assert.Equal(2, costBars);
        Assert.Equal("$59.98", mrr);
        Assert.True(fitsPhone, "the dashboard scrolls sideways on a phone");
    }

    [Fact]
    public async Task TheConsoleFindsACustomerChangesTheirPlanEditsACatalogPlanAndReplaysAWebhook()
    {
        await using var app = await StartAsync();
        await SeedActivityAsync(app);
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin/login");
        await BrowserFixture.ScreenshotAsync(page, "admin-login");
        await page.FillAsync("#key", TollgateApp.AdminKey);
        await page.ClickAsync("button[type=submit]");

        await page.GotoAsync("/admin/customers?q=grace");
        var found = await page.Locator("tr[data-customer]").AllInnerTextsAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-customers");
        await page.ClickAsync("text=grace");
        await page.SelectOptionAsync("#choice", "enterprise:monthly");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change plan" }).ClickAsync();
        var subscription = await page.Locator("[data-testid='subscription']").InnerTextAsync();
        var invoiceAmounts = await page.Locator("section:has(h2:text-is('Invoices')) td.num").AllInnerTextsAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-customer");

        await page.GotoAsync("/admin/catalog/plans/basic");
        await page.FillAsync("input[name='quota_cv_generate']", "12");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as a new version" }).ClickAsync();
        var versions = await page.Locator("tr[data-plan='basic'] td").Nth(2).InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-catalog");

        await page.GotoAsync("/admin/webhooks");
        var before = await page.Locator("tr[data-delivery]").CountAsync();
        await page.Locator("tr[data-delivery] button").First.ClickAsync();
        var after = await page.Locator("tr[data-delivery]").CountAsync();
        var notice = await page.Locator("[role='status']").InnerTextAsync();
        await page.Locator("tr[data-endpoint]").GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        var disabled = await page.Locator("tr[data-endpoint] .badge").InnerTextAsync();
        await page.Locator("tr[data-endpoint]").GetByRole(AriaRole.Button, new() { Name = "Enable" }).ClickAsync();
        var enabled = await page.Locator("tr[data-endpoint] .badge").InnerTextAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-webhooks");
        await page.Locator("tr[data-endpoint]").GetByRole(AriaRole.Link, new() { Name = "Delete" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        var deleted = await page.Locator("[role='status']").InnerTextAsync();
        var endpointsLeft = await page.Locator("tr[data-endpoint]").CountAsync();

        Assert.Equal(["grace"], found.Select(f => f.Split('\t')[0].Trim()));
        Assert.StartsWith("enterprise · monthly · active", subscription, StringComparison.Ordinal);
        Assert.Equal(["$29.99", "$29.99"], invoiceAmounts); // paid invoices show what was billed, once
        Assert.StartsWith("v1", versions, StringComparison.Ordinal);
        Assert.Contains("v2", versions, StringComparison.Ordinal);
        Assert.Equal(12, (await app.Anonymous.GetFromJsonAsync<JsonArray>("/v1/pricing/plans"))!
            .Single(p => p!["code"].Value<string>() == "basic")!["features"]!.AsArray()
            .Single(f => f!["feature_code"].Value<string>() == "cv_generate")!["monthly_quota"].Value<long>());
        Assert.Contains("queued again", notice, StringComparison.Ordinal);
        Assert.Equal(before + 1, after);
        Assert.Equal(("disabled", "enabled"), (disabled, enabled));
        Assert.Contains("deleted", deleted, StringComparison.Ordinal);
        Assert.Equal(0, endpointsLeft);
    }

    [Fact]
    public async Task EveryPageFitsAPhoneScreenWithoutScrollingSideways()
    {
        await using var app = await StartAsync();
        await SeedActivityAsync(app);
        var link = await PortalLinkAsync(app, "ada");
        await using var phone = await browser.ContextAsync(app.BaseAddress!, phone: true);
        var page = await phone.NewPageAsync();
        await page.GotoAsync("/admin/login");
        await BrowserFixture.ScreenshotAsync(page, "admin-login", phone: true);
        await page.FillAsync("#key", TollgateApp.AdminKey);
        await page.ClickAsync("button[type=submit]");
        var overflowing = new List<string>();

        foreach (var (name, path) in new[]
        {
            ("portal", link), ("admin-customers", "/admin/customers"), ("admin-customer", "/admin/customers/ada"), ("admin-catalog", "/admin/catalog"),
            ("admin-webhooks", "/admin/webhooks"), ("pricing-yearly", "/pricing?period=yearly"),
        })
        {
            await page.GotoAsync(path);
            await BrowserFixture.ScreenshotAsync(page, name, phone: true);
            if (!await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"))
            {
                overflowing.Add(name);
            }
        }

        Assert.Empty(overflowing);
    }

    /// <summary>Two paying customers over three months, LLM calls on two models, an alert, and a webhook endpoint with a delivery.</summary>
    private static async Task SeedActivityAsync(TollgateApp app)
    {
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = "https://hooks.example.com/tollgate" });
        await app.CustomerAsync("ada");
        await app.CustomerAsync("grace");
        await app.SubscribeAsync("ada", "pro", trialDays: 0);
        await PayAsync(app, "ada");
        await app.AdvanceAsync(TimeSpan.FromDays(31));
        await PayAsync(app, "ada");
        await app.SubscribeAsync("grace", "pro", trialDays: 0);
        await PayAsync(app, "grace");
        await app.AdvanceAsync(TimeSpan.FromDays(31));
        await PayAsync(app, "ada");
        await PayAsync(app, "grace");
        foreach (var (customer, model, tokens) in new[] { ("ada", "gpt-4o", 400_000), ("grace", "claude-sonnet-4-5", 900_000), ("ada", "gpt-4o", 100_000) })
        {
            await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer, feature = "career_chat_messages", model, input_tokens = tokens, output_tokens = tokens / 4 });
        }

        await app.ConsumeAsync("ada", "cv_generate", 25);
    }

    /// <summary>Records payment of the customer's open invoices, as an operator who collects outside Stripe would.</summary>
    private static async Task PayAsync(TollgateApp app, string customer)
    {
        foreach (var invoice in (await app.InvoicesAsync(customer)).Where(i => i["status"].Value<string>() == "open"))
        {
            await app.Admin.PostAsync($"/v1/invoices/{invoice["id"].Value<string>()}/mark-paid", null);
        }
    }

    private static string Normalize(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\t', '\u00a0'], StringSplitOptions.RemoveEmptyEntries));
}
