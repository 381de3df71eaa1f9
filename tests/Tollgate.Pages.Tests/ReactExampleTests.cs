using System.Globalization;
using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>examples/react in Chromium against a real Tollgate: @tollgate/react's components read with customer session tokens.</summary>
public sealed class ReactExampleTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    // Expectations retry until they hold, for at most a minute: the page tests share two cores with the whole suite, where
    // Playwright's 5 s default could be short for a render after a refresh. No other page test uses Expect.
    static ReactExampleTests() => Assertions.SetDefaultExpectTimeout(60_000);

    private static async Task<IPage> OpenAsync(IBrowserContext context, string user, string? visitor = null)
    {
        var page = await context.NewPageAsync();
        // As a user who asked for less motion: the meters' transitions are off, so screenshots show their settled state.
        await page.EmulateMediaAsync(new() { ReducedMotion = ReducedMotion.Reduce });
        await page.GotoAsync($"/?user={user}" + (visitor is null ? "" : $"&visitor={visitor}"));
        return page;
    }

    [Fact]
    public async Task ThePricingTableShowsTheCatalogsPricesAndTheVisitorsExperimentPrice()
    {
        await using var example = await ReactExample.StartAsync();
        var app = example.Tollgate;
        var experiment = await app.RunningExperimentAsync();
        await app.CustomerAsync("ada");
        var cheaper = PriceExperiments.Visitor(experiment, "cheaper");
        var catalog = (await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray();
        string Price(string plan, string period) => catalog.Single(p => p!["code"].Value<string>() == plan)!["prices"]!.AsArray()
            .Single(p => p!["billing_period"].Value<string>() == period)!["display_price"].Value<string>()!;
        await using var context = await browser.ContextAsync(example.Address);

        var page = await OpenAsync(context, "ada", cheaper);
        var table = page.Locator("section.tg-pricing[aria-label='Pricing']");
        await Assertions.Expect(table.Locator("[data-plan=pro] .tg-plan__amount")).ToHaveTextAsync("$24.99");
        var monthly = await PricesAsync(table);
        var variant = await table.GetAttributeAsync("data-variant");
        await BrowserFixture.ScreenshotAsync(page, "react-pricing-table");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Monthly" }).FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Yearly" })).ToHaveAttributeAsync("aria-checked", "true");
        var yearly = await PricesAsync(table);

        Assert.Equal("cheaper", variant);
        Assert.Equal(new Dictionary<string, string>
        {
            // A free plan reads "Free", as on the hosted /pricing, where it read its display price "$0.00".
            ["free"] = "Free", ["basic"] = Price("basic", "monthly"), ["pro"] = "$24.99", ["enterprise"] = Price("enterprise", "monthly"),
        }, monthly);
        Assert.Equal(Price("pro", "yearly"), yearly["pro"]);
        Assert.Equal(Price("basic", "yearly"), yearly["basic"]);
    }

    [Fact]
    public async Task TheUsageMeterMatchesUsageAndThePaywallOpensAfterAnUpgrade()
    {
        await using var example = await ReactExample.StartAsync();
        var app = example.Tollgate;
        await app.CustomerAsync("ada");
        await app.ConsumeAsync("ada", "cv_generate", 1);
        var (expected, used) = await MeterLabelAsync(app, "ada");
        await using var context = await browser.ContextAsync(example.Address);
        var page = await OpenAsync(context, "ada");

        var meter = page.Locator(".tg-meter").First;
        await Assertions.Expect(meter.Locator(".tg-meter__label")).ToHaveTextAsync(expected);
        var valueNow = await meter.GetByRole(AriaRole.Progressbar).GetAttributeAsync("aria-valuenow");
        var transition = await meter.Locator(".tg-meter__fill").EvaluateAsync<string>("e => getComputedStyle(e).transitionDuration");
        await Assertions.Expect(page.GetByText("Write a new CV: the builder is open.")).ToBeVisibleAsync();
        await app.ConsumeAsync("ada", "cv_generate", 1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Assertions.Expect(page.GetByText("You have used your CVs for this month. Upgrade to write more.")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "react-paywall-locked");
        await app.SubscribeAsync("ada", "pro");
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Write a new CV: the builder is open.")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-plan=pro] .tg-badge--current")).ToHaveTextAsync("Current plan");
        var (upgraded, _) = await MeterLabelAsync(app, "ada");
        await Assertions.Expect(meter.Locator(".tg-meter__label")).ToHaveTextAsync(upgraded);
        await page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" }).ClickAsync();
        await BrowserFixture.ScreenshotAsync(page, "react-example-dark");

        Assert.Equal(used.ToString(CultureInfo.InvariantCulture), valueNow);
        Assert.Contains(" of 30 CVs this month", upgraded, StringComparison.Ordinal);
        Assert.Equal("0s", transition);
    }

    [Fact]
    public async Task ASessionTheServerCallsExpiredIsRenewedAndTheReadRepeated()
    {
        await using var example = await ReactExample.StartAsync();
        var app = example.Tollgate;
        await app.CustomerAsync("ada");
        await using var context = await browser.ContextAsync(example.Address);
        var page = await OpenAsync(context, "ada");
        var label = page.Locator(".tg-meter__label").First;
        await Assertions.Expect(label).ToContainTextAsync("0 of 2 CVs");
        var before = example.SessionsMinted;

        await app.AdvanceAsync(TimeSpan.FromMinutes(16)); // past the 15-minute session on the server; the page's clock has not moved
        await app.ConsumeAsync("ada", "cv_generate", 1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Assertions.Expect(label).ToContainTextAsync("1 of 2 CVs");

        Assert.Equal(1, before);
        Assert.Equal(2, example.SessionsMinted);
    }

    [Fact]
    public async Task OneCustomersTokenCannotReadAnothersUsage()
    {
        await using var example = await ReactExample.StartAsync();
        var app = example.Tollgate;
        await app.CustomerAsync("ada");
        await app.CustomerAsync("bob");
        await using var context = await browser.ContextAsync(example.Address);
        var page = await OpenAsync(context, "ada");
        await Assertions.Expect(page.Locator(".tg-meter__label").First).ToContainTextAsync("CVs");

        var statuses = await page.EvaluateAsync<int[]>("""
            async () => {
              const config = await (await fetch("/api/config?user=ada")).json();
              const { token } = await (await fetch("/api/session?user=ada", { method: "POST" })).json();
              const read = (who) => fetch(`${config.tollgateUrl}/v1/customers/${who}/usage`, { headers: { authorization: `Bearer ${token}` } })
                .then((r) => r.status);
              return [await read("ada"), await read("bob")];
            }
            """);

        Assert.Equal([200, 403], statuses);
    }

    /// <summary>The meter's words as GET /v1/customers/{id}/usage gives the numbers (cv_generate resets monthly on every plan).</summary>
    private static async Task<(string Label, long Used)> MeterLabelAsync(TollgateApp app, string customer)
    {
        var usage = (await (await app.Admin.GetAsync($"/v1/customers/{customer}/usage")).ReadAsync())["features"]!["cv_generate"]!;
        var resets = DateTimeOffset.Parse(usage["resets_at"].Value<string>()!, CultureInfo.InvariantCulture).UtcDateTime;
        var used = usage["used"].Value<long>();
        return ($"{used} of {usage["limit"].Value<long>()} CVs this month, resets {resets.ToString("MMM d", CultureInfo.InvariantCulture)}", used);
    }

    private static async Task<Dictionary<string, string>> PricesAsync(ILocator table)
    {
        var plans = table.Locator("li.tg-plan");
        var prices = new Dictionary<string, string>();
        for (var i = 0; i < await plans.CountAsync(); i++)
        {
            var plan = plans.Nth(i);
            prices[(await plan.GetAttributeAsync("data-plan"))!] = (await plan.Locator(".tg-plan__amount").InnerTextAsync()).Trim();
        }

        return prices;
    }
}
