using System.Net;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Currencies;

/// <summary>
/// The pages that sell, in a currency (issue 33): the portal's plan picker, the pricing page's sign-up and Checkout, an
/// experiment's variant and an offer link each show and charge the price in the currency chosen or the customer's.
/// </summary>
public abstract partial class CurrencySalesPagesContract(SharedServer shared) : ApiContract(shared)
{
    private Dictionary<string, string?> Settings()
    {
        var settings = ApiSetup.CatalogOf("currency-sales-pages", TwoCurrencyCatalog.Json);
        if (TickingClock)
        {
            settings["Tollgate:TestClock:Ticking"] = "true";
        }

        return settings;
    }

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("currency-sales-pages", TwoCurrencyCatalog.Json));

    /// <summary>A server of the test's own: for a test that starts an experiment, which would change every later test's pricing page.</summary>
    private Task<TollgateApp> OwnAppAsync() => StartOwnAsync(ApiSetup.CatalogOf("currency-sales-pages", TwoCurrencyCatalog.Json));

    [Fact]
    public async Task ThePortalOffersACustomerWithoutACurrencyEachPeriodOnceAtThePlansDefaultPrice()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("ada");
        Assert.Equal(HttpStatusCode.Created,
            (await app.Admin.PutJsonAsync("/v1/customers/eva", new { email = "eva@example.com", currency = "EUR" })).StatusCode);

        using var ada = await Pages.PageText.PortalAsync(app, "ada");
        using var eva = await Pages.PageText.PortalAsync(app, "eva");
        var dollars = await ada.GetStringAsync(new Uri("/portal", UriKind.Relative));
        var euros = await eva.GetStringAsync(new Uri("/portal", UriKind.Relative));

        // Pro prices its month in USD and EUR: one choice, in dollars, for a customer whose currency the sale will fix.
        Assert.Single(Regex.Matches(dollars, "data-choice=\"pro:monthly\""));
        Assert.Contains("$29.00 a month", Pages.PageText.Visible(dollars), StringComparison.Ordinal);
        Assert.DoesNotContain("€27.00", dollars, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(euros, "data-choice=\"pro:monthly\""));
        Assert.Contains("€27.00 a month", Pages.PageText.Visible(euros), StringComparison.Ordinal);
        Assert.DoesNotContain("data-choice=\"team:monthly\"", euros, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePricingPagesCallsToActionCarryTheChosenCurrencyToTheSignUpWhichShowsItsPrice()
    {
        await using var app = await AppAsync();

        var euros = await (await app.Anonymous.GetAsync("/pricing?currency=eur")).Content.ReadAsStringAsync();
        var dollars = await (await app.Anonymous.GetAsync("/pricing")).Content.ReadAsStringAsync();
        var start = await (await app.Anonymous.GetAsync("/pricing/start?plan=pro&period=monthly&currency=EUR")).Content.ReadAsStringAsync();
        var lacking = await app.Anonymous.GetAsync("/pricing/start?plan=team&period=monthly&currency=EUR");

        Assert.Contains("href=\"/pricing/start?plan=pro&amp;period=monthly&amp;currency=EUR\"", euros, StringComparison.Ordinal);
        Assert.Contains("href=\"/pricing/start?plan=pro&amp;period=monthly\"", dollars, StringComparison.Ordinal);
        Assert.Contains("€27.00 a month", start, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, lacking.StatusCode);
    }

    [Fact]
    public async Task ASignUpFromTheEuroPricingPageChecksOutAtTheEuroPriceAndStoresTheBuyerInEuros()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, ["price_pro_usd", "price_pro_eur"], extra: Settings());
        var browser = h.App.NewBrowser();

        var landed = await SignUpAsync(browser, "/pricing/start?plan=pro&period=monthly&currency=eur", "buyer@newco.example");
        var sent = h.Stripe.Requests.Single(r => r.Path == "/v1/checkout/sessions").Form;

        Assert.Equal("checkout.stripe.com", landed.RequestMessage!.RequestUri!.Host);
        Assert.Equal("price_pro_eur", sent["line_items[0][price]"]);
        Assert.Equal("EUR", await h.ScalarAsync<string>("SELECT currency FROM customers WHERE email = 'buyer@newco.example'"));
    }

    [Fact]
    public async Task WhenStripeFailsTheSignUpPageSaysPaymentCouldNotStartAndKeepsStripesOwnWordsForTheLog()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, ["price_pro_usd", "price_pro_eur"], extra: Settings());
        h.Stripe.FailNext(10, 400);

        var refused = await SignUpAsync(h.App.NewBrowser(), "/pricing/start?plan=pro&period=monthly", "buyer@newco.example");
        var page = await refused.Content.ReadAsStringAsync();

        // The visitor read Stripe's message ("An unknown error occurred", "No such price: 'price_…'").
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains("Payment could not be started. Try again in a few minutes.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Stripe", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASignUpInEurosByABuyerAlreadyBilledInDollarsIsRefusedBeforeStripeIsAsked()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, ["price_pro_usd", "price_pro_eur"], extra: Settings());
        Assert.Equal(HttpStatusCode.Created,
            (await h.App.Admin.PutJsonAsync("/v1/customers/ada", new { email = "ada@newco.example", currency = "USD" })).StatusCode);

        var refused = await SignUpAsync(h.App.NewBrowser(), "/pricing/start?plan=pro&period=monthly&currency=EUR", "ada@newco.example");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("billed in USD", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(h.Stripe.Requests, r => r.Path == "/v1/checkout/sessions");
    }

    [Fact]
    public async Task AVisitorInAVariantPricingDollarsSeesAndSignsUpAtTheCatalogsEuroPriceInEuros()
    {
        await using var app = await OwnAppAsync();
        var experiment = (await (await app.Admin.PostJsonAsync("/v1/admin/experiments", new
        {
            name = "Pro at $24.99",
            variants = new object[]
            {
                new { key = "control", weight = 1 },
                new { key = "cheaper", weight = 1, prices = new object[] { new { plan = "pro", billing_period = "monthly", price_cents = 2499 } } },
            },
        })).ReadAsync())["id"].Value<string>()!;
        (await app.Admin.PostAsync(new Uri($"/v1/admin/experiments/{experiment}/start", UriKind.Relative), null)).EnsureSuccessStatusCode();

        // A new browser is a new visitor, in either variant by its cookie: take the first one the dollar page shows $24.99.
        HttpClient? cheaper = null;
        for (var i = 0; i < 40 && cheaper is null; i++)
        {
            var browser = app.NewBrowser();
            if ((await browser.GetStringAsync(new Uri("/pricing", UriKind.Relative))).Contains("$24.99", StringComparison.Ordinal))
            {
                cheaper = browser;
            }
            else
            {
                browser.Dispose();
            }
        }

        Assert.NotNull(cheaper);
        using var visitor = cheaper;
        var dollars = Pages.PageText.Visible(await visitor.GetStringAsync(new Uri("/pricing/start?plan=pro&period=monthly", UriKind.Relative)));
        var euros = Pages.PageText.Visible(await visitor.GetStringAsync(new Uri("/pricing/start?plan=pro&period=monthly&currency=EUR", UriKind.Relative)));
        var page = await visitor.GetStringAsync(new Uri("/pricing?currency=EUR", UriKind.Relative));

        Assert.Contains("$24.99 a month", dollars, StringComparison.Ordinal);
        Assert.Contains("€27.00 a month", euros, StringComparison.Ordinal);
        Assert.DoesNotContain("24.99", euros, StringComparison.Ordinal);
        Assert.Contains("€27", page, StringComparison.Ordinal);
        Assert.DoesNotContain("24.99", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOfferForAnEuroCustomerShowsChargesAndInvoicesItsEuroPrice()
    {
        await using var app = await AppAsync();
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PutJsonAsync("/v1/customers/eu", new { email = "eu@example.com", currency = "EUR" })).StatusCode);
        var link = await app.Admin.PostJsonAsync("/v1/admin/plans/pro/offer-links", new { customer = "eu", expires_at = app.Clock.GetUtcNow().AddDays(7) });
        var path = new Uri((await link.ReadAsync())["url"].Value<string>()!).PathAndQuery;

        var browser = app.NewBrowser();
        var page = await browser.GetStringAsync(new Uri(path, UriKind.Relative));
        var accepted = await browser.PostAsync(new Uri("/offer", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = Uri.UnescapeDataString(path[(path.IndexOf("token=", StringComparison.Ordinal) + 6)..]),
            ["csrf"] = CsrfField().Match(page).Groups[1].Value,
        }));
        var invoice = (await app.InvoicesAsync("eu"))[0];

        Assert.Contains("€27.00 a month", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(("EUR", 2700L), (invoice["currency"].Value<string>(), invoice["subtotal_cents"].Value<long>()));
    }

    [Fact]
    public async Task AnOfferLinkForACustomerInACurrencyThePlanLacksIsA409CurrencyMismatch()
    {
        await using var app = await AppAsync();
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PutJsonAsync("/v1/customers/jp", new { email = "jp@example.com", currency = "JPY" })).StatusCode);

        var link = await app.Admin.PostJsonAsync("/v1/admin/plans/pro/offer-links", new { customer = "jp", expires_at = app.Clock.GetUtcNow().AddDays(7) });

        Assert.Equal((HttpStatusCode.Conflict, "currency_mismatch"), (link.StatusCode, (await link.ReadAsync())["error"].Value<string>()));
    }

    /// <summary>Opens the sign-up page, then posts its e-mail form as a browser would; answers where the post landed.</summary>
    private static async Task<HttpResponseMessage> SignUpAsync(HttpClient browser, string path, string email)
    {
        var page = await browser.GetStringAsync(new Uri(path, UriKind.Relative));
        var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups[1].Value, m => System.Net.WebUtility.HtmlDecode(m.Groups[2].Value));
        fields["csrf"] = CsrfField().Match(page).Groups[1].Value;
        fields["email"] = email;
        return await browser.PostAsync(new Uri("/pricing/start", UriKind.Relative), new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    // Razor closes a void element with " />".
    [GeneratedRegex("<input type=\"hidden\" name=\"(plan|period|promo|currency)\" value=\"([^\"]*)\" ?/?>")]
    private static partial Regex HiddenField();
}

public sealed class SqliteCurrencySalesPagesTests(SharedServer shared) : CurrencySalesPagesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCurrencySalesPagesTests(SharedServer shared) : CurrencySalesPagesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same with the clock running, as the billing suites do.</summary>
public sealed class SqliteTickingCurrencySalesPagesTests(SharedServer shared) : CurrencySalesPagesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
