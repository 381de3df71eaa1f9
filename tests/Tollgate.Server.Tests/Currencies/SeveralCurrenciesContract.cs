using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Currencies;

/// <summary>
/// Several currencies (issue 33): a plan priced in USD, EUR and GBP, a yen plan, a customer's one currency, and the
/// pricing API and page in a currency.
/// </summary>
public abstract class SeveralCurrenciesContract(SharedServer shared) : ApiContract(shared)
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 100 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2, "prices": [
                { "billing_period": "monthly", "price_cents": 2900, "currency": "USD" },
                { "billing_period": "monthly", "price_cents": 2700, "currency": "EUR" },
                { "billing_period": "monthly", "price_cents": 2300, "currency": "GBP" },
                { "billing_period": "yearly", "price_cents": 29000, "currency": "USD" },
                { "billing_period": "yearly", "price_cents": 27000, "currency": "EUR" },
                { "billing_period": "yearly", "price_cents": 23000, "currency": "GBP" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 1000 } ] },
            { "code": "team", "name": "Team", "sort_order": 3, "prices": [ { "billing_period": "monthly", "price_cents": 9900 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 10000 } ] },
            { "code": "tokyo", "name": "Tokyo", "sort_order": 4, "prices": [ { "billing_period": "monthly", "price_cents": 500, "currency": "JPY" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] }
          ]
        }
        """;

    /// <summary>The class's server for one test, or, with <paramref name="shared"/>, the one every case of the calling theory shares.</summary>
    private Task<TollgateApp> AppAsync(bool shared = false, [CallerMemberName] string theory = "")
    {
        var settings = ApiSetup.CatalogOf("currencies", Catalog);
        return shared ? StartSharedAsync(settings, theory: theory) : StartAsync(settings);
    }

    /// <summary>A server of the test's own: for a test that moves the clock or adds a coupon, which every later test would find.</summary>
    private Task<TollgateApp> OwnAppAsync() => StartOwnAsync(ApiSetup.CatalogOf("currencies", Catalog));

    private static Task<HttpResponseMessage> SubscribeAsync(TollgateApp app, string customer, string plan, string? currency = null) =>
        app.Admin.PostJsonAsync("/v1/subscriptions", new { customer, plan, currency });

    [Fact]
    public async Task APlanPricedInUsdEurAndGbpListsItsDefaultPricesAndOffersAllThreeCurrencies()
    {
        await using var app = await AppAsync();

        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray();
        var pro = plans.Single(p => p!["code"].Value<string>() == "pro")!;

        Assert.Equal(["USD", "EUR", "GBP"], pro["currencies"]!.AsArray().Select(c => c.Value<string>()));
        Assert.Equal([("monthly", "USD", "$29.00"), ("yearly", "USD", "$290.00")], Prices(pro));
    }

    [Fact]
    public async Task PricingInEurosShowsTheEuroPricesAndLeavesOutThePlansWithoutEuros()
    {
        await using var app = await AppAsync();

        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans?currency=EUR")).ReadAsync()).AsArray();

        Assert.Equal(["free", "pro"], plans.Select(p => p!["code"].Value<string>()));
        Assert.Equal([("monthly", "EUR", "€27.00"), ("yearly", "EUR", "€270.00")], Prices(plans[1]!));
    }

    [Theory]
    [InlineData("eu")]
    [InlineData("EURO")]
    [InlineData("XYZ")]
    public async Task PricingInAMalformedOrUnknownCurrencyIsA400NamingCurrency(string currency)
    {
        await using var app = await AppAsync(shared: true);

        var response = await app.Anonymous.GetAsync($"/v1/pricing/plans?currency={currency}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.ReadAsync())["errors"]!["currency"]);
    }

    [Fact]
    public async Task AnEuroSubscriptionIsInvoicedInEurosAtTheEuroPriceAndFixesTheCustomersCurrency()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1-euro");

        var created = await SubscribeAsync(app, "c1-euro", "pro", "EUR");
        var invoice = (await app.InvoicesAsync("c1-euro"))[0];
        var customer = await (await app.Admin.GetAsync("/v1/customers/c1-euro")).ReadAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("EUR", (await created.ReadAsync())["currency"].Value<string>());
        Assert.Equal(("EUR", 2700L, 2700L), (invoice["currency"].Value<string>(), invoice["subtotal_cents"].Value<long>(),
            invoice["amount_due_cents"].Value<long>()));
        Assert.Equal("EUR", customer["currency"].Value<string>());
    }

    [Fact]
    public async Task AnEuroSubscriptionRenewsInEurosAtTheEuroPrice()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("c1");
        Assert.Equal(HttpStatusCode.Created, (await SubscribeAsync(app, "c1", "pro", "EUR")).StatusCode);

        await app.AdvanceAsync(TimeSpan.FromDays(32));
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal([("EUR", 2700L), ("EUR", 2700L)], invoices.Select(i => (i["currency"].Value<string>()!, i["subtotal_cents"].Value<long>())));
    }

    [Fact]
    public async Task ACustomerSetToGbpIsSubscribedInPoundsWithoutNamingTheCurrency()
    {
        await using var app = await AppAsync();
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PutJsonAsync("/v1/customers/c1-gbp", new { currency = "GBP" })).StatusCode);

        var created = await (await SubscribeAsync(app, "c1-gbp", "pro")).ReadAsync();
        var invoice = (await app.InvoicesAsync("c1-gbp"))[0];

        Assert.Equal("GBP", created["currency"].Value<string>());
        Assert.Equal(("GBP", 2300L), (invoice["currency"].Value<string>(), invoice["subtotal_cents"].Value<long>()));
    }

    [Fact]
    public async Task AYenPriceOfFiveHundredShowsAsYenFiveHundredAndIsInvoicedAsFiveHundredMinorUnits()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1-yen");

        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans?currency=JPY")).ReadAsync()).AsArray();
        Assert.Equal(HttpStatusCode.Created, (await SubscribeAsync(app, "c1-yen", "tokyo")).StatusCode);
        var invoice = (await app.InvoicesAsync("c1-yen"))[0];

        Assert.Equal([("monthly", "JPY", "¥500")], Prices(plans.Single(p => p!["code"].Value<string>() == "tokyo")!));
        Assert.Equal(("JPY", 500L, 500L), (invoice["currency"].Value<string>(), invoice["subtotal_cents"].Value<long>(),
            invoice["amount_due_cents"].Value<long>()));
    }

    [Fact]
    public async Task ASecondSubscriptionInAnotherCurrencyIsACurrencyMismatchAndWritesNothing()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1-second");
        var first = (await (await SubscribeAsync(app, "c1-second", "pro", "EUR")).ReadAsync())["id"].Value<string>();
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.PostJsonAsync($"/v1/subscriptions/{first}/cancel", new { at_period_end = false })).StatusCode);

        var second = await SubscribeAsync(app, "c1-second", "pro", "GBP");
        var team = await SubscribeAsync(app, "c1-second", "team");

        Assert.Equal((HttpStatusCode.Conflict, "currency_mismatch"), (second.StatusCode, (await second.ReadAsync())["error"].Value<string>()));
        Assert.Equal((HttpStatusCode.Conflict, "currency_mismatch"), (team.StatusCode, (await team.ReadAsync())["error"].Value<string>()));
        Assert.Single((await (await app.Admin.GetAsync("/v1/customers/c1-second/subscriptions")).ReadAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task ChangingTheCurrencyOfACustomerWithAnEuroSubscriptionIsACurrencyMismatch()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1-change");
        Assert.Equal(HttpStatusCode.Created, (await SubscribeAsync(app, "c1-change", "pro", "EUR")).StatusCode);

        var changed = await app.Admin.PutJsonAsync("/v1/customers/c1-change", new { currency = "USD" });
        var same = await app.Admin.PutJsonAsync("/v1/customers/c1-change", new { currency = "EUR" });

        Assert.Equal((HttpStatusCode.Conflict, "currency_mismatch"), (changed.StatusCode, (await changed.ReadAsync())["error"].Value<string>()));
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal("EUR", (await (await app.Admin.GetAsync("/v1/customers/c1-change")).ReadAsync())["currency"].Value<string>());
    }

    [Fact]
    public async Task ACurrencyThePlanDoesNotPriceIsA400NamingCurrencyAndTheCurrenciesItOffers()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1-unpriced");

        var response = await SubscribeAsync(app, "c1-unpriced", "pro", "JPY");
        var malformed = await SubscribeAsync(app, "c1-unpriced", "pro", "euro");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("USD, EUR, GBP", (await response.ReadAsync())["errors"]!["currency"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.NotNull((await malformed.ReadAsync())["errors"]!["currency"]);
        Assert.Empty((await (await app.Admin.GetAsync("/v1/customers/c1-unpriced/subscriptions")).ReadAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task AChangeToAPlanWithoutTheSubscriptionsCurrencyIsACurrencyMismatch()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = (await (await SubscribeAsync(app, "c1", "pro", "EUR")).ReadAsync())["id"].Value<string>();

        var change = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "team" });
        var yearly = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "pro", billing_period = "yearly", effective = "immediate" });
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal((HttpStatusCode.Conflict, "currency_mismatch"), (change.StatusCode, (await change.ReadAsync())["error"].Value<string>()));
        Assert.Equal(HttpStatusCode.OK, yearly.StatusCode);
        Assert.Equal("EUR", (await yearly.ReadAsync())["currency"].Value<string>());
        Assert.All(invoices, i => Assert.Equal("EUR", i["currency"].Value<string>()));
        Assert.Contains(invoices, i => i["lines"]!.AsArray().Any(l => l!["amount_cents"].Value<long>() == 27000));
    }

    [Fact]
    public async Task AFixedCouponTakesItsEuroOptionOffAnEuroInvoice()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("c1");
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PostJsonAsync("/v1/admin/coupons", new
        {
            id = "ten", name = "$10 off", amount_off_cents = 1000, currency = "USD", duration = "forever",
            currency_options = new Dictionary<string, object> { ["EUR"] = new { amount_off_cents = 900 } },
        })).StatusCode);

        var created = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1", plan = "pro", currency = "EUR", coupon = "ten" });
        var invoice = (await app.InvoicesAsync("c1"))[0];

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(("EUR", 2700L, 900L, 1800L), (invoice["currency"].Value<string>(), invoice["subtotal_cents"].Value<long>(),
            invoice["discount_cents"].Value<long>(), invoice["amount_due_cents"].Value<long>()));
    }

    [Fact]
    public async Task AFixedCouponWithoutAnEuroOptionDoesNotApplyToAnEuroSubscription()
    {
        await using var app = await OwnAppAsync();
        await app.CustomerAsync("c1");
        Assert.Equal(HttpStatusCode.Created, (await app.Admin.PostJsonAsync("/v1/admin/coupons",
            new { id = "five", name = "$5 off", amount_off_cents = 500, currency = "USD", duration = "forever" })).StatusCode);

        var refused = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1", plan = "pro", currency = "EUR", coupon = "five" });

        Assert.Equal((HttpStatusCode.BadRequest, "promotion_code_invalid"), (refused.StatusCode, (await refused.ReadAsync())["error"].Value<string>()));
        Assert.Empty(await app.InvoicesAsync("c1"));
    }

    [Fact]
    public async Task ACatalogPricingOnePeriodTwiceInOneCurrencyIsRejectedNamingThePath()
    {
        await using var app = await AppAsync();
        var twice = Catalog.Replace("\"price_cents\": 2300, \"currency\": \"GBP\"", "\"price_cents\": 2300, \"currency\": \"EUR\"", StringComparison.Ordinal);

        var response = await app.Admin.PutJsonAsync("/v1/admin/catalog", twice);
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_catalog"), (response.StatusCode, problem["error"].Value<string>()));
        Assert.Contains("plans[1].prices[2].billing_period: duplicates the monthly price in EUR", problem["errors"]!.AsArray().Select(e => e.Value<string>()));
    }

    [Fact]
    public async Task ACurrencyThatLacksAPeriodAnotherCurrencyPricesIsRejected()
    {
        await using var app = await AppAsync();
        var partial = Catalog.Replace("{ \"billing_period\": \"yearly\", \"price_cents\": 23000, \"currency\": \"GBP\" } ],", "],",
            StringComparison.Ordinal).Replace("\"price_cents\": 27000, \"currency\": \"EUR\" },", "\"price_cents\": 27000, \"currency\": \"EUR\" }",
            StringComparison.Ordinal);

        var response = await app.Admin.PutJsonAsync("/v1/admin/catalog", partial);
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("plans[1].prices: must price the same billing periods in every currency: GBP has no yearly price",
            problem["errors"]!.AsArray().Select(e => e.Value<string>()));
    }

    [Fact]
    public async Task TheExportedCatalogAppliesBackWithoutAChangeAndKeepsEveryCurrency()
    {
        await using var app = await AppAsync();

        var exported = await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var applied = await app.Admin.PutJsonAsync("/v1/admin/catalog?dry_run=true", exported);
        var body = await applied.ReadAsync();
        var prices = JsonNode.Parse(exported)!["plans"]!.AsArray().Single(p => p!["code"].Value<string>() == "pro")!["prices"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.False(body["changed"].Value<bool>(), body.ToJsonString());
        Assert.Equal(["USD", "EUR", "GBP", "USD", "EUR", "GBP"], prices.Select(p => p!["currency"].Value<string>()));
    }

    [Fact]
    public async Task APriceChangedInOneCurrencyIsOneLineOfTheDiff()
    {
        await using var app = await AppAsync();
        var cheaper = Catalog.Replace("\"price_cents\": 2700, \"currency\": \"EUR\"", "\"price_cents\": 2500, \"currency\": \"EUR\"", StringComparison.Ordinal);

        var body = await (await app.Admin.PutJsonAsync("/v1/admin/catalog?dry_run=true", cheaper)).ReadAsync();
        var pro = body["diff"]!["plans"]!.AsArray().Single(p => p!["code"].Value<string>() == "pro")!;

        var price = Assert.Single(pro["prices"]!.AsArray())!;
        Assert.Equal(("monthly", "EUR", 2700L, 2500L), (price["billing_period"].Value<string>(), price["currency"].Value<string>(),
            price["before_cents"].Value<long>(), price["after_cents"].Value<long>()));
    }

    [Fact]
    public async Task ThePricingPageSwitchesToEurosByALinkAndShowsTheEuroPrice()
    {
        await using var app = await AppAsync();

        var page = await (await app.Anonymous.GetAsync("/pricing")).Content.ReadAsStringAsync();
        var euros = await (await app.Anonymous.GetAsync("/pricing?currency=EUR")).Content.ReadAsStringAsync();

        Assert.Contains("href=\"/pricing?currency=EUR\"", page, StringComparison.Ordinal);
        Assert.Contains("$29", page, StringComparison.Ordinal);
        Assert.Contains("€27", euros, StringComparison.Ordinal);
        Assert.DoesNotContain("Team", euros, StringComparison.Ordinal);
    }

    private static List<(string, string, string)> Prices(JsonNode plan) =>
        [.. plan["prices"]!.AsArray().Select(p => (p!["billing_period"].Value<string>()!, p["currency"].Value<string>()!, p["display_price"].Value<string>()!))];
}

public sealed class SqliteSeveralCurrenciesTests(SharedServer shared) : SeveralCurrenciesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresSeveralCurrenciesTests(SharedServer shared) : SeveralCurrenciesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same with the clock running, as the billing suites do.</summary>
public sealed class SqliteTickingSeveralCurrenciesTests(SharedServer shared) : SeveralCurrenciesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
