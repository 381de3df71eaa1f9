using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Currencies;

/// <summary>
/// Tiered overage in several currencies (issue 33): a tiered feature's <c>currency_options.EUR.overage_tiers</c> price the
/// overage of a subscription in euros on every invoice path, late usage is re-rated at the euro option, and a currency
/// without an option is refused when subscribing, changing or checking out.
/// </summary>
public abstract class TieredOverageCurrenciesContract(SharedServer shared) : ApiContract(shared)
{
    // Pro: calls past 1,000 at 2¢ then 1¢ (graduated; in EUR 3c then 2c with a 1.00 flat fee), storage past 5 GB at 25¢ or 20¢
    // a GB (volume; in EUR 30c or 22c), seats past 2 at $1 (EUR 0.90). GBP is priced but has no overage option.
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "calls", "name": "API calls", "unit": "calls", "kind": "metered" },
                        { "code": "storage", "name": "Storage", "unit": "GB", "kind": "metered" },
                        { "code": "seats", "name": "Seats", "kind": "metered" } ],
          "metrics": [ { "code": "peak_gb", "name": "Peak storage", "event": "storage", "aggregation": "max", "property": "gb" },
                       { "code": "seat_count", "name": "Seats", "event": "seats_changed", "aggregation": "latest", "property": "seats" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0, "currency": "USD" } ],
              "features": [ { "feature_code": "calls", "limit": 100 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2, "prices": [
                { "billing_period": "monthly", "price_cents": 2000, "currency": "USD", "stripe_price_id": "price_pro_usd" },
                { "billing_period": "monthly", "price_cents": 1800, "currency": "EUR", "stripe_price_id": "price_pro_eur" },
                { "billing_period": "monthly", "price_cents": 1600, "currency": "GBP", "stripe_price_id": "price_pro_gbp" },
                { "billing_period": "yearly", "price_cents": 20000, "currency": "USD" },
                { "billing_period": "yearly", "price_cents": 18000, "currency": "EUR" },
                { "billing_period": "yearly", "price_cents": 16000, "currency": "GBP" } ],
              "features": [
                { "feature_code": "calls", "limit": 1000, "hard_cap": false,
                  "overage_tiers": [ { "up_to": 1000, "unit_price_cents": 2 }, { "up_to": null, "unit_price_cents": 1 } ],
                  "currency_options": { "EUR": { "overage_tiers": [ { "up_to": 1000, "unit_price_cents": 3 },
                                                                     { "up_to": null, "unit_price_cents": 2, "flat_cents": 100 } ] } } },
                { "feature_code": "storage", "limit": 5, "hard_cap": false, "metric": "peak_gb", "tiers_mode": "volume",
                  "overage_tiers": [ { "up_to": 10, "unit_price_cents": 25 }, { "up_to": null, "unit_price_cents": 20 } ],
                  "currency_options": { "EUR": { "overage_tiers": [ { "up_to": 10, "unit_price_cents": 30 }, { "up_to": null, "unit_price_cents": 22 } ] } } },
                { "feature_code": "seats", "limit": 2, "hard_cap": false, "metric": "seat_count", "overage_unit_price_cents": 100,
                  "currency_options": { "EUR": { "overage_unit_price_cents": 90 } } } ] }
          ]
        }
        """;

    private static readonly DateTimeOffset May = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Invoices due in a year, so no subscription falls past due while a test walks its months.</summary>
    private static Dictionary<string, string?> Settings(string catalog = Catalog, string name = "tiered-currencies")
    {
        var settings = ApiSetup.CatalogOf(name, catalog);
        settings["Tollgate:Billing:DaysUntilDue"] = "365";
        return settings;
    }

    private Task<TollgateApp> AppAsync() => StartAsync(Settings(), May);

    /// <summary>A server of the test's own: for a test that moves the clock or changes the catalog, which every later test would find.</summary>
    private Task<TollgateApp> OwnAppAsync() => StartOwnAsync(Settings(), May);

    private static async Task<string> SubscribeAsync(TollgateApp app, string customer, string currency)
    {
        await app.CustomerAsync(customer);
        var response = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer, plan = "pro", currency, collection_method = "send_invoice" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadAsync())["id"].Value<string>()!;
    }

    private static Task<HttpResponseMessage> TrackAsync(TollgateApp app, params object[] events) => app.Admin.PostJsonAsync("/v1/events", new { events });

    private static object Event(string id, string name, object properties, DateTimeOffset? at = null) =>
        new { id, customer = "c1", @event = name, timestamp = at?.ToString("O", System.Globalization.CultureInfo.InvariantCulture), properties };

    private static List<(long Quantity, long Amount)> Lines(JsonNode invoice, string kind, string? feature = null) =>
        [.. invoice["lines"]!.AsArray()
            .Where(l => l!["kind"].Value<string>() == kind && (feature is null || l["feature"].Value<string>() == feature))
            .Select(l => (l!["quantity"].Value<long>(), l["amount_cents"].Value<long>()))];

    [Fact]
    public async Task AnEuroSubscriptionIsInvoicedItsTieredOverageOnTheEuroTiersAtRenewal()
    {
        await using var app = await OwnAppAsync();
        await SubscribeAsync(app, "c1", "EUR");
        Assert.Equal(HttpStatusCode.OK, (await app.ConsumeAsync("c1", "calls", 2_500)).StatusCode);

        await app.AdvanceToAsync(May.AddMonths(1));
        var invoice = (await app.InvoicesAsync("c1"))[^1];

        // 1,500 calls past the limit, graduated on the euro tiers: 1,000 at 3c = 30.00, then 500 at 2c plus the 1.00 flat fee = 11.00.
        Assert.Equal("EUR", invoice["currency"].Value<string>());
        Assert.Equal([(1_000L, 3_000L), (500L, 1_100L)], Lines(invoice, "overage", "calls"));
        Assert.Equal(1_800L + 3_000 + 1_100, invoice["subtotal_cents"].Value<long>());
    }

    [Fact]
    public async Task ADollarSubscriptionIsStillInvoicedOnTheFeaturesOwnTiers()
    {
        await using var app = await OwnAppAsync();
        await SubscribeAsync(app, "c1", "USD");
        await app.ConsumeAsync("c1", "calls", 2_500);

        await app.AdvanceToAsync(May.AddMonths(1));

        Assert.Equal([(1_000L, 2_000L), (500L, 500L)], Lines((await app.InvoicesAsync("c1"))[^1], "overage", "calls"));
    }

    [Fact]
    public async Task TheUpcomingInvoiceOfAnEuroSubscriptionShowsTheEuroTiers()
    {
        await using var app = await AppAsync();
        await SubscribeAsync(app, "c1-upcoming", "EUR");
        await app.ConsumeAsync("c1-upcoming", "calls", 1_500);

        var upcoming = await (await app.Admin.GetAsync("/v1/customers/c1-upcoming/upcoming-invoice")).ReadAsync();

        Assert.Equal("EUR", upcoming["currency"].Value<string>());
        Assert.Equal([(500L, 1_500L)], Lines(upcoming, "overage", "calls"));
    }

    [Fact]
    public async Task AChangeThatEndsThePeriodBillsTheOverageSoFarOnTheEuroTiers()
    {
        await using var app = await OwnAppAsync();
        var id = await SubscribeAsync(app, "c1", "EUR");
        await app.ConsumeAsync("c1", "calls", 1_500);
        await app.AdvanceToAsync(May.AddDays(10));

        // A new billing period re-anchors the subscription, so the calls counted so far are billed with the change.
        var change = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "pro", billing_period = "yearly", effective = "immediate" });
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.All(invoices, i => Assert.Equal("EUR", i["currency"].Value<string>()));
        Assert.Equal([(500L, 1_500L)], invoices.SelectMany(i => Lines(i, "overage", "calls")));
    }

    [Fact]
    public async Task ACancelNowBillsTheOverageSoFarOnTheEuroTiers()
    {
        await using var app = await OwnAppAsync();
        var id = await SubscribeAsync(app, "c1", "EUR");
        await app.ConsumeAsync("c1", "calls", 2_200);
        await app.AdvanceToAsync(May.AddDays(10));

        var cancel = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = false });
        var last = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(("EUR", "subscription_cancel"), (last["currency"].Value<string>(), last["billing_reason"].Value<string>()));
        // 1,200 past the limit: 1,000 at 3c = 30.00, 200 at 2c + 1.00 = 5.00.
        Assert.Equal([(1_000L, 3_000L), (200L, 500L)], Lines(last, "overage", "calls"));
    }

    [Fact]
    public async Task LateUsageOfAnEuroSubscriptionIsReRatedAtTheEuroOptionsBothTieredAndPerUnit()
    {
        await using var app = await OwnAppAsync();
        await SubscribeAsync(app, "c1", "EUR");
        await app.AdvanceToAsync(May.AddDays(9));
        Assert.Equal(HttpStatusCode.OK, (await TrackAsync(app, Event("g1", "storage", new { gb = 7 }), Event("s1", "seats_changed", new { seats = 3 }))).StatusCode);
        await app.AdvanceToAsync(May.AddMonths(1));
        // May billed 2 GB past 5 on the euro volume tier (2 × 30c) and 1 seat past 2 at the euro 90c.
        var may = (await app.InvoicesAsync("c1"))[^1];
        Assert.Equal([(2L, 60L)], Lines(may, "overage", "storage"));
        Assert.Equal([(1L, 90L)], Lines(may, "overage", "seats"));

        await app.AdvanceToAsync(May.AddMonths(1).AddDays(2));
        var late = await TrackAsync(app, Event("g2", "storage", new { gb = 9 }, May.AddDays(19)),
            Event("s2", "seats_changed", new { seats = 5 }, May.AddDays(24)));
        await app.AdvanceToAsync(May.AddMonths(2).AddHours(1));
        var july = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        // Storage: 4 GB past the limit now, 2 more than billed, repriced on the euro volume tier (4 × 30c less the 60c billed).
        // Seats: 3 past the limit now, 2 more than billed, at 90c each. Both in euros, never at the dollar prices (50¢, $2.00).
        Assert.Equal("EUR", july["currency"].Value<string>());
        Assert.Equal([(2L, 60L)], Lines(july, "late_usage", "storage"));
        Assert.Equal([(2L, 180L)], Lines(july, "late_usage", "seats"));
    }

    [Fact]
    public async Task ASubscriptionInACurrencyTheTieredFeaturesHaveNoOptionInIsA400NamingCurrencyAndTheFeaturesAndWritesNothing()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1-gbp");

        var response = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1-gbp", plan = "pro", currency = "GBP" });
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var currency = problem["errors"]!["currency"].Value<string>()!;
        Assert.Contains("feature 'calls'", currency, StringComparison.Ordinal);
        Assert.Contains("feature 'storage'", currency, StringComparison.Ordinal);
        Assert.Empty((await (await app.Admin.GetAsync("/v1/customers/c1-gbp/subscriptions")).ReadAsync())["data"]!.AsArray());
        Assert.Empty(await app.InvoicesAsync("c1-gbp"));
    }

    [Fact]
    public async Task AChangeToAPlanWhoseTiersHaveNoEuroOptionIsA400NamingCurrencyAndChangesNothing()
    {
        var withMax = Catalog.Replace("\"plans\": [", """
            "plans": [
                { "code": "max", "name": "Max", "prices": [ { "billing_period": "monthly", "price_cents": 5000, "currency": "USD" },
                    { "billing_period": "monthly", "price_cents": 4500, "currency": "EUR" } ],
                  "features": [ { "feature_code": "calls", "limit": 5000, "hard_cap": false,
                                  "overage_tiers": [ { "up_to": null, "unit_price_cents": 1 } ] } ] },
            """, StringComparison.Ordinal);
        await using var app = await StartOwnAsync(Settings(withMax, "tiered-currencies-max"), May);
        var id = await SubscribeAsync(app, "c1", "EUR");

        var change = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "max", effective = "immediate" });
        var refusal = await change.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, change.StatusCode);
        Assert.True(refusal["errors"]?["currency"]?.Value<string>()?.Contains("feature 'calls'", StringComparison.Ordinal) == true, refusal.ToJsonString());
        Assert.Equal("pro", (await app.SubscriptionAsync(id))["plan"].Value<string>());
    }

    [Fact]
    public async Task CheckoutForACustomerInACurrencyAFeatureHasNoOptionInIsA400NamingCurrencyBeforeStripeIsAsked()
    {
        await using var h = await PaymentsAsync();
        Assert.Equal(HttpStatusCode.Created, (await h.App.Admin.PutJsonAsync("/v1/customers/gb", new { email = "gb@example.com", currency = "GBP" })).StatusCode);

        var response = await h.PostCheckoutAsync("gb", "pro");
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem["errors"]?["currency"]?.Value<string>()?.Contains("feature 'calls'", StringComparison.Ordinal) == true, problem.ToJsonString());
        Assert.DoesNotContain(h.Stripe.Requests, r => r.Method == "POST" && r.Path is "/v1/checkout/sessions" or "/v1/customers");
    }

    [Fact]
    public async Task CheckoutForACustomerInEurosSendsStripeTheEuroPrice()
    {
        await using var h = await PaymentsAsync();
        Assert.Equal(HttpStatusCode.Created, (await h.App.Admin.PutJsonAsync("/v1/customers/eu", new { email = "eu@example.com", currency = "eur" })).StatusCode);

        var response = await h.PostCheckoutAsync("eu", "pro");

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("price_pro_eur", h.Stripe.Requests.Last(r => r.Path == "/v1/checkout/sessions").Form["line_items[0][price]"]);
    }

    [Theory]
    [InlineData("\"unit_price_cents\": 3 }", "\"unit_price_cents\": -3 }", "plans[1].features[0].currency_options.EUR.overage_tiers[0].unit_price_cents")]
    [InlineData("{ \"up_to\": 1000, \"unit_price_cents\": 3 }", "{ \"up_to\": null, \"unit_price_cents\": 3 }",
        "plans[1].features[0].currency_options.EUR.overage_tiers[0].up_to")]
    [InlineData("\"EUR\": { \"overage_tiers\"", "\"EUR\": { \"overage_unit_price_cents\": 3, \"overage_tiers\"",
        "plans[1].features[0].currency_options.EUR.overage_unit_price_cents")]
    public async Task AWrongEuroTierIsAnInvalidCatalogNamingItsPathAndChangesNothing(string from, string to, string path)
    {
        await using var app = await AppAsync();
        var bad = Catalog.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Catalog, bad);

        var response = await app.Admin.PutJsonAsync("/v1/admin/catalog", bad);
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_catalog"), (response.StatusCode, problem["error"].Value<string>()));
        Assert.Contains(problem["errors"]!.AsArray(), e => e.Value<string>()!.StartsWith(path + ":", StringComparison.Ordinal));
        Assert.Equal(1, (await (await app.Anonymous.GetAsync("/v1/pricing/plans/pro")).ReadAsync())["version"].Value<int>());
    }

    [Fact]
    public async Task TheEuroTiersRoundTripThroughExportAndImportAndAChangedTierMakesANewPlanVersion()
    {
        await using var app = await OwnAppAsync();

        var exported = await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var reapplied = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", exported)).ReadAsync();
        var again = await (await app.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var cheaper = exported.Replace("\"unit_price_cents\": 3,", "\"unit_price_cents\": 2,", StringComparison.Ordinal);
        var changed = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", cheaper)).ReadAsync();

        var calls = JsonNode.Parse(exported)!["plans"]!.AsArray().Single(p => p!["code"].Value<string>() == "pro")!["features"]!.AsArray()
            .Single(f => f!["feature_code"].Value<string>() == "calls")!;
        Assert.Equal([3L, 2L], calls["currency_options"]!["EUR"]!["overage_tiers"]!.AsArray().Select(t => t!["unit_price_cents"].Value<long>()));
        Assert.False(reapplied["changed"].Value<bool>(), reapplied.ToJsonString());
        Assert.Equal(exported, again);
        Assert.NotEqual(exported, cheaper);
        Assert.True(changed["changed"].Value<bool>());
        Assert.Equal(2, (await (await app.Anonymous.GetAsync("/v1/pricing/plans/pro")).ReadAsync())["version"].Value<int>());
    }

    [Fact]
    public async Task ThePricingApiAndPageShowTheEuroTiersWhenAskedInEuros()
    {
        await using var app = await AppAsync();

        static async Task<JsonNode> CallsAsync(TollgateApp app, string query) =>
            (await (await app.Anonymous.GetAsync($"/v1/pricing/plans/pro{query}")).ReadAsync())["features"]!.AsArray()
                .Single(f => f!["feature_code"].Value<string>() == "calls")!;

        var euros = await CallsAsync(app, "?currency=EUR");
        var dollars = await CallsAsync(app, "");
        // As a visitor reads it: Razor writes the "+" before a flat fee as &#x2B;.
        var page = Pages.PageText.Visible(await (await app.Anonymous.GetAsync("/pricing?currency=EUR")).Content.ReadAsStringAsync());

        Assert.Equal([(3L, 0L), (2L, 100L)], euros["overage_tiers"]!.AsArray().Select(t => (t!["unit_price_cents"].Value<long>(), t["flat_cents"].Value<long>())));
        Assert.Equal([2L, 1L], dollars["overage_tiers"]!.AsArray().Select(t => t!["unit_price_cents"].Value<long>()));
        Assert.Contains("€0.03 per call", page, StringComparison.Ordinal);
        Assert.Contains("€0.02 per call + €1.00", page, StringComparison.Ordinal);
        Assert.DoesNotContain("€0.01 per call", page, StringComparison.Ordinal); // the dollar tier's price, never shown in euros
    }

    /// <summary>This catalog on a server pointed at a fake Stripe that sells pro's monthly prices.</summary>
    private Task<PaymentsHarness> PaymentsAsync()
    {
        var extra = Settings(Catalog, "tiered-currencies-payments");
        if (TickingClock)
        {
            extra["Tollgate:TestClock:Ticking"] = "true";
        }

        return PaymentsHarness.StartAsync(Kind, ["price_pro_usd", "price_pro_eur", "price_pro_gbp"], extra: extra);
    }
}

public sealed class SqliteTieredOverageCurrenciesTests(SharedServer shared) : TieredOverageCurrenciesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresTieredOverageCurrenciesTests(SharedServer shared) : TieredOverageCurrenciesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same with the clock running, as the billing suites do.</summary>
public sealed class SqliteTickingTieredOverageCurrenciesTests(SharedServer shared) : TieredOverageCurrenciesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
