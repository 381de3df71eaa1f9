using Microsoft.Playwright;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>Without Tollgate:Pages:CtaUrl the pricing page's buttons lead to /pricing/start: Stripe Checkout, or how to subscribe.</summary>
public sealed class PricingStartTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WithoutStripeAPaidPlansButtonLeadsToAPageThatSaysHowToSubscribeAndAnUnknownPlanIs404()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, null, Start, kestrel: true);
        await using var context = await browser.ContextAsync(app.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/pricing");
        await page.Locator("label[for='period-yearly']").ClickAsync();
        await page.Locator("article[data-plan='pro'] a.cta").ClickAsync();
        await page.ArrivedAsync("**/pricing/start?*");
        var url = new Uri(page.Url).PathAndQuery;
        var title = await page.Locator("h1").InnerTextAsync();
        var how = await page.Locator("[data-testid='how-to-subscribe']").InnerTextAsync();
        var forms = await page.Locator("main form").CountAsync();
        await BrowserFixture.ScreenshotAsync(page, "pricing-start");
        var unknown = await page.GotoAsync("/pricing/start?plan=no-such-plan&period=monthly");
        var unknownTitle = await page.Locator("h1").InnerTextAsync();

        Assert.Equal("/pricing/start?plan=pro&period=yearly", url);
        Assert.Equal("Pro", title);
        Assert.Contains("open Billing from your account", how, StringComparison.Ordinal);
        Assert.Equal(0, forms);
        Assert.Equal((404, "This plan is not on sale"), (unknown!.Status, unknownTitle));
    }

    [Fact]
    public async Task WithStripeAPaidPlansButtonTakesAnEmailAndOpensStripeCheckoutForANewCustomer()
    {
        await using var h = await PaymentsHarness.StartAsync(StoreKind.Sqlite, kestrel: true);
        // Stripe's hosted pages are stood in for (StripeHostedPages): the browser must reach them, not what they show.
        await using var context = await browser.ContextAsync(h.App.BaseAddress!);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/pricing");
        await page.Locator("article[data-plan='basic'] a.cta").ClickAsync();
        await page.ArrivedAsync("**/pricing/start?*");
        await page.FillAsync("input[name='email']", "buyer@newco.example");
        await BrowserFixture.ScreenshotAsync(page, "pricing-start-checkout");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        await page.ArrivedAsync("https://checkout.stripe.com/**");
        var checkout = h.Stripe.Requests.Last(r => r.Path == "/v1/checkout/sessions");
        var customer = await (await h.App.Admin.GetAsync($"/v1/customers/{checkout.Form["client_reference_id"]}")).ReadAsync();
        await page.GotoAsync("/pricing/start?plan=team&period=monthly");
        var unlinked = await page.Locator("[data-testid='how-to-subscribe']").CountAsync();

        Assert.Equal("price_basic_monthly", checkout.Form["line_items[0][price]"]);
        Assert.Equal("buyer@newco.example", customer["email"].Value<string>());
        Assert.Equal(1, unlinked); // a price Stripe does not sell says how to subscribe instead
    }
}
