using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Currencies;

/// <summary>
/// Credit packs in several currencies (issue 33): a pack's <c>currency_options</c> sell it to a customer in that currency,
/// by the API and through Stripe Checkout; a customer in a currency the pack lacks is refused and nothing is written.
/// </summary>
public abstract class PackCurrenciesContract : ApiContract
{
    // The payments catalog plus a pack of 1,000 calls at $15.00, EUR 14.00 (sold through Stripe in both) and GBP 12.00 (API only).
    private static readonly string PacksCatalog = Catalogs.Payments.TrimEnd().TrimEnd('}') + """
        , "packs": [
            { "code": "calls_1k", "name": "1,000 calls", "feature": "api_calls", "amount": 1000, "price_cents": 1500, "currency": "USD",
              "stripe_price_id": "price_pack_1k",
              "currency_options": { "eur": { "price_cents": 1400, "stripe_price_id": "price_pack_1k_eur" }, "GBP": { "price_cents": 1200 } } }
          ]
        }
        """;

    private Task<PaymentsHarness> StartPacksAsync()
    {
        var extra = ApiSetup.CatalogOf("pack-currencies", PacksCatalog);
        if (TickingClock)
        {
            extra["Tollgate:TestClock:Ticking"] = "true";
        }

        return PaymentsHarness.StartAsync(Kind, [.. PaymentsHarness.CatalogPrices, "price_pack_1k", "price_pack_1k_eur"], extra: extra);
    }

    private static async Task CustomerInAsync(TollgateApp app, string id, string? currency)
    {
        var response = await app.Admin.PutJsonAsync($"/v1/customers/{id}", new { email = $"{id}@example.com", currency });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private static Task<HttpResponseMessage> SellAsync(TollgateApp app, string customer) =>
        app.Admin.PostJsonAsync($"/v1/customers/{customer}/packs", new { pack = "calls_1k", paid = true });

    private static Task<HttpResponseMessage> CheckoutAsync(TollgateApp app, string customer) =>
        app.Admin.PostJsonAsync($"/v1/customers/{customer}/packs/checkout-sessions", new
        {
            pack = "calls_1k", success_url = "https://app.example.com/credits?ok=1", cancel_url = "https://app.example.com/credits",
        });

    private static string? Text(JsonNode? node, string name) => node?[name].Value<string>();

    [Fact]
    public async Task APackSoldToAnEuroCustomerIsInvoicedAtItsEuroPrice()
    {
        await using var h = await StartPacksAsync();
        await CustomerInAsync(h.App, "eva", "EUR");

        var response = await SellAsync(h.App, "eva");
        var invoice = (await response.ReadAsync())["invoice"]!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(("EUR", 1400L, 1400L), (Text(invoice, "currency"), invoice["subtotal_cents"].Value<long>(),
            invoice["lines"]![0]!["amount_cents"].Value<long>()));
    }

    [Fact]
    public async Task APackSoldToACustomerWithoutACurrencyIsInThePacksOwnWhichBecomesTheCustomers()
    {
        await using var h = await StartPacksAsync();
        await CustomerInAsync(h.App, "ada", null);

        var invoice = (await (await SellAsync(h.App, "ada")).ReadAsync())["invoice"]!;
        var customer = await (await h.App.Admin.GetAsync("/v1/customers/ada")).ReadAsync();
        var second = (await (await SellAsync(h.App, "ada")).ReadAsync())["invoice"]!;

        Assert.Equal(("USD", 1500L), (Text(invoice, "currency"), invoice["subtotal_cents"].Value<long>()));
        Assert.Equal("USD", Text(customer, "currency"));
        Assert.Equal(("USD", 1500L), (Text(second, "currency"), second["subtotal_cents"].Value<long>()));
    }

    [Fact]
    public async Task APackSoldToACustomerInACurrencyThePackLacksIsA409NamingCurrencyAndWritesNothing()
    {
        await using var h = await StartPacksAsync();
        await CustomerInAsync(h.App, "kenji", "JPY");

        var response = await SellAsync(h.App, "kenji");
        var problem = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.Conflict, "currency_mismatch"), (response.StatusCode, Text(problem, "error")));
        Assert.Contains("USD, EUR, GBP", problem["errors"]!["currency"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal((0L, 0L), (await h.ScalarAsync<long>("SELECT COUNT(*) FROM invoices"), await h.ScalarAsync<long>("SELECT COUNT(*) FROM credit_grants")));
    }

    [Fact]
    public async Task CheckoutOfAPackForAnEuroCustomerSendsStripeTheEuroPrice()
    {
        await using var h = await StartPacksAsync();
        await CustomerInAsync(h.App, "eva", "eur");

        var response = await CheckoutAsync(h.App, "eva");

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var sent = h.Stripe.Requests.Last(r => r.Path == "/v1/checkout/sessions").Form;
        Assert.Equal(("payment", "price_pack_1k_eur", "calls_1k"), (sent["mode"], sent["line_items[0][price]"], sent["metadata[tollgate_pack]"]));
    }

    [Fact]
    public async Task CheckoutOfAPackInACurrencyWithoutItsStripePriceIs422AndInOneThePackLacksIs409NeitherAskingStripe()
    {
        await using var h = await StartPacksAsync();
        await CustomerInAsync(h.App, "gus", "GBP");
        await CustomerInAsync(h.App, "kenji", "JPY");

        var unlinked = await CheckoutAsync(h.App, "gus");
        var lacking = await CheckoutAsync(h.App, "kenji");
        var problem = await lacking.ReadAsync();

        Assert.Equal(((HttpStatusCode)422, "price_not_linked"), (unlinked.StatusCode, Text(await unlinked.ReadAsync(), "error")));
        Assert.Equal((HttpStatusCode.Conflict, "currency_mismatch"), (lacking.StatusCode, Text(problem, "error")));
        Assert.NotNull(problem["errors"]!["currency"]);
        Assert.DoesNotContain(h.Stripe.Requests, r => r.Path == "/v1/checkout/sessions");
    }

    [Fact]
    public async Task ThePortalListsAPackAtTheCustomersCurrencyPriceAndItsBuyButtonSellsThatPrice()
    {
        await using var h = await StartPacksAsync();
        await CustomerInAsync(h.App, "eva", "EUR");
        var browser = h.App.NewBrowser();
        var link = (await (await h.App.Admin.PostJsonAsync("/v1/customers/eva/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;

        var page = await (await browser.GetAsync(new Uri(new Uri(link).PathAndQuery, UriKind.Relative))).Content.ReadAsStringAsync();
        var csrf = System.Text.RegularExpressions.Regex.Match(page, "name=\"csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        var bought = await browser.PostAsync(new Uri("/portal/packs/checkout", UriKind.Relative),
            new FormUrlEncodedContent([new("pack", "calls_1k"), new("csrf", csrf)]));

        Assert.Contains("€14.00", page, StringComparison.Ordinal);
        Assert.DoesNotContain("$15.00", page, StringComparison.Ordinal);
        Assert.Equal("checkout.stripe.com", bought.RequestMessage!.RequestUri!.Host);
        Assert.Equal("price_pack_1k_eur", h.Stripe.Requests.Last(r => r.Path == "/v1/checkout/sessions").Form["line_items[0][price]"]);
    }

    [Fact]
    public async Task ThePacksOptionsAreListedInCapitalsAndExportAndApplyBackUnchanged()
    {
        await using var h = await StartPacksAsync();

        var listed = (await h.App.Admin.PageAsync("/v1/packs"))[0]!;
        var exported = await (await h.App.Admin.GetAsync("/v1/admin/catalog")).Content.ReadAsStringAsync();
        var reapplied = await (await h.App.Admin.PutJsonAsync("/v1/admin/catalog", exported)).ReadAsync();
        var cheaper = await (await h.App.Admin.PutJsonAsync("/v1/admin/catalog",
            exported.Replace("\"price_cents\": 1400", "\"price_cents\": 1300", StringComparison.Ordinal))).ReadAsync();

        Assert.Equal("""{"EUR":{"price_cents":1400,"stripe_price_id":"price_pack_1k_eur"},"GBP":{"price_cents":1200,"stripe_price_id":null}}""",
            listed["currency_options"]!.ToJsonString());
        Assert.Equal([1400L, 1200L], JsonNode.Parse(exported)!["packs"]![0]!["currency_options"]!.AsObject().Select(o => o.Value!["price_cents"].Value<long>()));
        Assert.False(reapplied["changed"].Value<bool>(), reapplied.ToJsonString());
        Assert.Contains("packs updated", cheaper["changes"]!.AsArray().Select(c => c.Value<string>()));
    }
}

public sealed class SqlitePackCurrenciesTests : PackCurrenciesContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresPackCurrenciesTests : PackCurrenciesContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same with the clock running, as the billing suites do.</summary>
public sealed class SqliteTickingPackCurrenciesTests : PackCurrenciesContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
