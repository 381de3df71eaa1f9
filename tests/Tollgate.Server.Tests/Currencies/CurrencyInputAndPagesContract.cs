using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Currencies;

/// <summary>
/// Several currencies at the edges (issue 33): codes in lower case as Stripe writes them, a free plan in every currency,
/// one plan in a currency, and the pages that sell (pricing sign-up, Checkout, offers) in the currency shown.
/// </summary>
public abstract partial class CurrencyInputAndPagesContract : ApiContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0, "currency": "USD" } ],
              "features": [ { "feature_code": "api_calls", "limit": 100 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2, "prices": [
                { "billing_period": "monthly", "price_cents": 2900, "currency": "USD", "stripe_price_id": "price_pro_usd" },
                { "billing_period": "monthly", "price_cents": 2700, "currency": "EUR", "stripe_price_id": "price_pro_eur" } ],
              "features": [ { "feature_code": "api_calls", "limit": 1000 } ] },
            { "code": "team", "name": "Team", "sort_order": 3, "prices": [ { "billing_period": "monthly", "price_cents": 9900, "currency": "USD" } ],
              "features": [ { "feature_code": "api_calls", "limit": 10000 } ] }
          ]
        }
        """;

    private Dictionary<string, string?> Settings()
    {
        var settings = ApiSetup.CatalogOf("currency-pages", Catalog);
        if (TickingClock)
        {
            settings["Tollgate:TestClock:Ticking"] = "true";
        }

        return settings;
    }

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("currency-pages", Catalog));

    private static List<(string Period, string Currency, long Cents, string Display)> Prices(JsonNode plan) =>
        [.. plan["prices"]!.AsArray().Select(p => (p!["billing_period"].Value<string>()!, p["currency"].Value<string>()!, p["price_cents"].Value<long>(),
            p["display_price"].Value<string>()!))];

    [Fact]
    public async Task PricingReadsALowerCaseCurrencyAsItsCapitals()
    {
        await using var app = await AppAsync();

        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans?currency=eur")).ReadAsync()).AsArray();

        Assert.Equal([("monthly", "EUR", 2700L, "€27.00")], Prices(plans.Single(p => p!["code"].Value<string>() == "pro")!));
    }

    [Fact]
    public async Task ACustomersAndASubscriptionsCurrencySentInLowerCaseIsStoredAndAnsweredInCapitals()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c2");

        var customer = await app.Admin.PutJsonAsync("/v1/customers/c1", new { email = "c1@example.com", currency = "eur" });
        var subscription = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c2", plan = "pro", currency = "eur" });
        var stored = await (await app.Admin.GetAsync("/v1/customers/c1")).ReadAsync();
        var invoice = (await app.InvoicesAsync("c2"))[0];

        Assert.Equal((HttpStatusCode.Created, "EUR"), (customer.StatusCode, (await customer.ReadAsync())["currency"].Value<string>()));
        Assert.Equal("EUR", stored["currency"].Value<string>());
        Assert.Equal((HttpStatusCode.Created, "EUR"), (subscription.StatusCode, (await subscription.ReadAsync())["currency"].Value<string>()));
        Assert.Equal(("EUR", 2700L), (invoice["currency"].Value<string>(), invoice["subtotal_cents"].Value<long>()));
    }

    [Fact]
    public async Task ACouponsOptionKeyedInLowerCaseIsKeptInCapitalsAndTakesItsAmountOffAnEuroInvoice()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");

        var coupon = await app.Admin.PostJsonAsync("/v1/admin/coupons", new
        {
            id = "ten", name = "$10 off", amount_off_cents = 1000, currency = "usd", duration = "forever",
            currency_options = new Dictionary<string, object> { ["eur"] = new { amount_off_cents = 900 } },
        });
        var created = await coupon.ReadAsync();
        await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1", plan = "pro", currency = "EUR", coupon = "ten" });
        var invoice = (await app.InvoicesAsync("c1"))[0];

        Assert.Equal(HttpStatusCode.Created, coupon.StatusCode);
        Assert.Equal(("USD", """{"EUR":{"amount_off_cents":900}}"""), (created["currency"].Value<string>(), created["currency_options"]!.ToJsonString()));
        Assert.Equal(("EUR", 900L), (invoice["currency"].Value<string>(), invoice["discount_cents"].Value<long>()));
    }

    [Fact]
    public async Task ACouponGivingOneCurrencyTwiceInEitherCaseIsA400AndWritesNothing()
    {
        await using var app = await AppAsync();

        var coupon = await app.Admin.PostJsonAsync("/v1/admin/coupons", new
        {
            id = "ten", name = "$10 off", amount_off_cents = 1000, currency = "USD", duration = "forever",
            currency_options = new Dictionary<string, object> { ["EUR"] = new { amount_off_cents = 900 }, ["eur"] = new { amount_off_cents = 800 } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, coupon.StatusCode);
        Assert.Equal("gives EUR a second time", (await coupon.ReadAsync())["errors"]!["currency_options.eur"].Value<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin.GetAsync("/v1/admin/coupons/ten")).StatusCode);
    }

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

    [Theory]
    [InlineData("euro")]
    [InlineData("e1r")]
    public async Task ACurrencyThatIsNotThreeLettersIsStillA400NamingCurrencyAndWritesNothing(string currency)
    {
        await using var app = await AppAsync();

        var customer = await app.Admin.PutJsonAsync("/v1/customers/c1", new { email = "c1@example.com", currency });

        Assert.Equal(HttpStatusCode.BadRequest, customer.StatusCode);
        Assert.NotNull((await customer.ReadAsync())["errors"]!["currency"]);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin.GetAsync("/v1/customers/c1")).StatusCode);
    }

    [Fact]
    public async Task AFreePlanPricedAtZeroDollarsStaysInEuroPricingAtZeroEuros()
    {
        await using var app = await AppAsync();

        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans?currency=EUR")).ReadAsync()).AsArray();
        var page = await (await app.Anonymous.GetAsync("/pricing?currency=EUR")).Content.ReadAsStringAsync();

        Assert.Equal(["free", "pro"], plans.Select(p => p!["code"].Value<string>()));
        Assert.Equal([("monthly", "EUR", 0L, "€0.00")], Prices(plans[0]!));
        Assert.Equal(["USD"], plans[0]!["currencies"]!.AsArray().Select(c => c.Value<string>()));
        Assert.Contains("data-plan=\"free\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-plan=\"team\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEuroSubscriptionMayMoveToTheFreePlanInEuros()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = (await (await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1", plan = "pro", currency = "EUR" })).ReadAsync())["id"]
            .Value<string>();

        var change = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "free", effective = "immediate" });
        var body = await change.ReadAsync();

        Assert.True(change.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(("free", "EUR", "EUR"), (body["subscription"]!["plan"].Value<string>(), body["subscription"]!["currency"].Value<string>(),
            body["currency"].Value<string>()));
        Assert.All(await app.InvoicesAsync("c1"), i => Assert.Equal("EUR", i["currency"].Value<string>()));
    }

    [Fact]
    public async Task OnePlanIsShownInTheCurrencyAskedForAndOneThatLacksItIsA400NamingCurrency()
    {
        await using var app = await AppAsync();

        var pro = await (await app.Anonymous.GetAsync("/v1/pricing/plans/pro?currency=eur")).ReadAsync();
        var free = await (await app.Anonymous.GetAsync("/v1/pricing/plans/free?currency=EUR")).ReadAsync();
        var team = await app.Anonymous.GetAsync("/v1/pricing/plans/team?currency=EUR");
        var malformed = await app.Anonymous.GetAsync("/v1/pricing/plans/pro?currency=EURO");

        Assert.Equal([("monthly", "EUR", 2700L, "€27.00")], Prices(pro));
        Assert.Equal([("monthly", "EUR", 0L, "€0.00")], Prices(free));
        Assert.Equal(HttpStatusCode.BadRequest, team.StatusCode);
        Assert.Contains("offers USD", (await team.ReadAsync())["errors"]!["currency"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.NotNull((await malformed.ReadAsync())["errors"]!["currency"]);
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
        await using var app = await AppAsync();
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

public sealed class SqliteCurrencyInputAndPagesTests : CurrencyInputAndPagesContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCurrencyInputAndPagesTests : CurrencyInputAndPagesContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same with the clock running, as the billing suites do.</summary>
public sealed class SqliteTickingCurrencyInputAndPagesTests : CurrencyInputAndPagesContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
