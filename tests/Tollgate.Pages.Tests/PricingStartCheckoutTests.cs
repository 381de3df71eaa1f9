using System.Text.Json;
using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>/pricing/start during a price experiment, and what a refused or failed checkout leaves behind (nothing), through one checkout path.</summary>
// Stripe Checkout is stood in for by the shared browser's StripeHostedPages.
public sealed class PricingStartCheckoutTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AVisitorInAPriceExperimentSeesAndIsChargedTheVariantsPriceOnTheStartPage()
    {
        await using var h = await PaymentsHarness.StartAsync(StoreKind.Sqlite, kestrel: true);
        var experiment = await h.App.RunningExperimentAsync();
        var visitor = PriceExperiments.Visitor(experiment, "cheaper");
        await using var context = await browser.ContextAsync(h.App.BaseAddress!);
        await context.AddCookiesAsync([new Cookie { Name = "tg_visitor", Value = visitor, Url = h.App.BaseAddress!.ToString() }]);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/pricing/start?plan=pro&period=monthly");
        var price = await page.Locator("[data-testid='start-price']").InnerTextAsync();
        var variant = await page.Locator("main").GetAttributeAsync("data-variant");
        await BrowserFixture.ScreenshotAsync(page, "pricing-start-variant");
        await page.FillAsync("input[name='email']", "buyer@newco.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        await page.ArrivedAsync("https://checkout.stripe.com/**");
        var sent = h.Stripe.Requests.Single(r => r.Path == "/v1/checkout/sessions").Form;

        Assert.Equal(("$24.99 a month", "cheaper"), (price, variant));
        Assert.Equal(("2499", visitor), (sent["line_items[0][price_data][unit_amount]"], sent["subscription_data[metadata][tollgate_visitor]"]));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM customers WHERE email = 'buyer@newco.example'"));
    }

    [Fact]
    public async Task AnEmailAnExistingCustomerHasInAnyCaseChecksOutAsThatCustomerInsteadOfASecondOne()
    {
        await using var h = await PaymentsHarness.StartAsync(StoreKind.Sqlite, kestrel: true);
        await h.App.CustomerAsync("ada", "ada@newco.example");
        await using var context = await browser.ContextAsync(h.App.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/pricing/start?plan=pro&period=monthly");
        await page.FillAsync("input[name='email']", "Ada@NewCo.EXAMPLE");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        await page.ArrivedAsync("https://checkout.stripe.com/**");
        var sent = h.Stripe.Requests.Single(r => r.Path == "/v1/checkout/sessions").Form;

        Assert.Equal(("ada", "ada"), (sent["client_reference_id"], sent["metadata[tollgate_customer]"]));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM customers"));
    }

    [Fact]
    public async Task ARefusedCodeOrAStripeFailureLeavesNoCustomerAndTooManyPostsFromOneClientGetA429Page()
    {
        await using var h = await PaymentsHarness.StartAsync(StoreKind.Sqlite, kestrel: true);
        await using var context = await browser.ContextAsync(h.App.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/pricing/start?plan=pro&period=monthly&promo=NOSUCHCODE");
        await page.FillAsync("input[name='email']", "refused@newco.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        var refused = await page.Locator("h1").InnerTextAsync();
        await page.GotoAsync("/pricing/start?plan=pro&period=monthly");
        await page.FillAsync("input[name='email']", "failed@newco.example");
        h.Stripe.FailNext(1, 400);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        var failed = await page.Locator("h1").InnerTextAsync();
        // Two posts so far; the form allows twenty per client in ten minutes, then answers 429 without reading further.
        var statuses = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const statuses = [];
              for (let i = 0; i < 20; i++) {
                const r = await fetch('/pricing/start', { method: 'POST', body: new URLSearchParams({ plan: 'pro', period: 'monthly', email: 'x@y.example' }) });
                statuses.push(r.status);
              }
              const offer = await fetch('/offer', { method: 'POST', body: new URLSearchParams({ token: 'x' }) });
              return { statuses, offer: offer.status, retryAfter: offer.headers.get('Retry-After'), text: await offer.text() };
            }
            """);

        Assert.Equal("This code cannot be used", refused);
        Assert.Equal("Payment is not available", failed);
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM customers"));
        Assert.Equal([.. Enumerable.Repeat(403, 18), 429, 429], statuses.GetProperty("statuses").EnumerateArray().Select(s => s.GetInt32()));
        Assert.Equal(429, statuses.GetProperty("offer").GetInt32());
        Assert.True(int.Parse(statuses.GetProperty("retryAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("Too many tries", statuses.GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
