using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Currencies;

/// <summary>
/// Currency codes as callers send them (issue 33): lower case as Stripe writes them on customers, subscriptions, pricing and
/// coupon options; a free plan in every currency; one plan in a currency.
/// </summary>
public abstract class CurrencyInputContract(SharedServer shared) : ApiContract(shared)
{
    /// <summary>The class's server for one test, or, with <paramref name="shared"/>, the one every case of the calling theory shares.</summary>
    private Task<TollgateApp> AppAsync(bool shared = false, [CallerMemberName] string theory = "")
    {
        var settings = ApiSetup.CatalogOf("currency-pages", TwoCurrencyCatalog.Json);
        return shared ? StartSharedAsync(settings, theory: theory) : StartAsync(settings);
    }

    /// <summary>A server of the test's own: for a test that adds a coupon, which every later test would find.</summary>
    private Task<TollgateApp> OwnAppAsync() => StartOwnAsync(ApiSetup.CatalogOf("currency-pages", TwoCurrencyCatalog.Json));

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
        await app.CustomerAsync("c2-lower");

        var customer = await app.Admin.PutJsonAsync("/v1/customers/c1-lower", new { email = "c1-lower@example.com", currency = "eur" });
        var subscription = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c2-lower", plan = "pro", currency = "eur" });
        var stored = await (await app.Admin.GetAsync("/v1/customers/c1-lower")).ReadAsync();
        var invoice = (await app.InvoicesAsync("c2-lower"))[0];

        Assert.Equal((HttpStatusCode.Created, "EUR"), (customer.StatusCode, (await customer.ReadAsync())["currency"].Value<string>()));
        Assert.Equal("EUR", stored["currency"].Value<string>());
        Assert.Equal((HttpStatusCode.Created, "EUR"), (subscription.StatusCode, (await subscription.ReadAsync())["currency"].Value<string>()));
        Assert.Equal(("EUR", 2700L), (invoice["currency"].Value<string>(), invoice["subtotal_cents"].Value<long>()));
    }

    [Fact]
    public async Task ACouponsOptionKeyedInLowerCaseIsKeptInCapitalsAndTakesItsAmountOffAnEuroInvoice()
    {
        await using var app = await OwnAppAsync();
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
    public async Task ACouponInACodeOutsideIsoIsA400NamingTheFieldAndWritesNothing()
    {
        // Three letters are not a currency: a coupon in "ZZZ" could apply to no invoice (a fuzz trial stored one).
        await using var app = await AppAsync(shared: true);

        var own = await app.Admin.PostJsonAsync("/v1/admin/coupons",
            new { id = "zzz", name = "Z", amount_off_cents = 500, currency = "ZZZ", duration = "forever" });
        var option = await app.Admin.PostJsonAsync("/v1/admin/coupons", new
        {
            id = "zzz", name = "Z", amount_off_cents = 500, currency = "USD", duration = "forever",
            currency_options = new Dictionary<string, object> { ["ZZZ"] = new { amount_off_cents = 5 } },
        });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (own.StatusCode, option.StatusCode));
        Assert.NotNull((await own.ReadAsync())["errors"]!["currency"]);
        Assert.NotNull((await option.ReadAsync())["errors"]!["currency_options.ZZZ"]);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin.GetAsync("/v1/admin/coupons/zzz")).StatusCode);
    }

    [Theory]
    [InlineData("euro")]
    [InlineData("e1r")]
    [InlineData("ZZZ")]
    [InlineData("usx")]
    public async Task ACurrencyThatIsNotThreeLettersOrNoCurrencyAtAllIsA400NamingCurrencyAndWritesNothing(string currency)
    {
        await using var app = await AppAsync(shared: true);

        var customer = await app.Admin.PutJsonAsync("/v1/customers/c1", new { email = "c1@example.com", currency });

        Assert.Equal(HttpStatusCode.BadRequest, customer.StatusCode);
        Assert.NotNull((await customer.ReadAsync())["errors"]!["currency"]);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin.GetAsync("/v1/customers/c1")).StatusCode);
    }

    [Fact]
    public async Task ACustomerStoredBeforeTheCheckWithACodeOutsideIsoKeepsItWhenTheRecordIsSentAgain()
    {
        await using var app = await AppAsync(shared: true);
        await app.Admin.PutJsonAsync("/v1/customers/c-old", new { email = "c-old@example.com" });
        await app.Get<Tollgate.Storage.Database.TollgateDatabase>().WriteAsync((c, tx) =>
            Dapper.SqlMapper.ExecuteAsync(c, "UPDATE customers SET currency = 'ZZZ' WHERE id = 'c-old'", transaction: tx));

        var again = await app.Admin.PutJsonAsync("/v1/customers/c-old", new { email = "c-old@example.com", currency = "ZZZ" });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task ACustomerMayTakeAnIsoCurrencyNoPlanPricesYet()
    {
        await using var app = await AppAsync(shared: true);

        var customer = await app.Admin.PutJsonAsync("/v1/customers/c-chf", new { email = "c-chf@example.com", currency = "chf" });

        Assert.Equal((HttpStatusCode.Created, "CHF"), (customer.StatusCode, (await customer.ReadAsync())["currency"].Value<string>()));
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
}

public sealed class SqliteCurrencyInputTests(SharedServer shared) : CurrencyInputContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCurrencyInputTests(SharedServer shared) : CurrencyInputContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same with the clock running, as the billing suites do.</summary>
public sealed class SqliteTickingCurrencyInputTests(SharedServer shared) : CurrencyInputContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
