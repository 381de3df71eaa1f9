using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Tollgate.Storage.Database;
namespace Tollgate.Testing;

/// <summary>A Tollgate server on the payments catalog, pointed at a fake Stripe that sells its prices, on one test clock.</summary>
public sealed class PaymentsHarness : IAsyncDisposable
{
    public static readonly string[] CatalogPrices = ["price_basic_monthly", "price_pro_monthly", "price_pro_yearly"];

    private PaymentsHarness(TollgateApp app, FakeStripe stripe) => (App, Stripe) = (app, stripe);

    public TollgateApp App { get; }

    public FakeStripe Stripe { get; }

    public static async Task<PaymentsHarness> StartAsync(
        StoreKind kind, IEnumerable<string>? prices = null, bool kestrel = false, IDictionary<string, string?>? extra = null)
    {
        var stripe = await FakeStripe.StartAsync();
        foreach (var price in prices ?? CatalogPrices)
        {
            stripe.AddPrice(price, price switch { "price_basic_monthly" => 1000, "price_pro_monthly" => 3000, _ => 30000 },
                price.EndsWith("yearly", StringComparison.Ordinal) ? "year" : "month");
        }

        var settings = ApiSetup.PaymentsCatalog();
        foreach (var (key, value) in stripe.Settings.Concat(extra ?? new Dictionary<string, string?>()))
        {
            settings[key] = value;
        }

        var app = await TollgateApp.StartAsync(kind, settings, kestrel: kestrel);
        stripe.Clock = app.Clock;
        return new PaymentsHarness(app, stripe);
    }

    public Task<HttpResponseMessage> PostCheckoutAsync(string customer, string plan, string period = "monthly") =>
        App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", new
        {
            customer, plan, billing_period = period, success_url = "https://app.example.com/billing/done?session={CHECKOUT_SESSION_ID}",
            cancel_url = "https://app.example.com/pricing",
        });

    /// <summary>A checkout through Tollgate; answers the session id.</summary>
    public async Task<string> CheckoutAsync(string customer, string plan, string period = "monthly")
    {
        var response = await PostCheckoutAsync(customer, plan, period);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"checkout {customer}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.ReadAsync())["session_id"].Value<string>()!;
    }

    /// <summary>Checkout, payment on Stripe's page, and checkout.session.completed delivered: answers Stripe's subscription.</summary>
    public async Task<JsonObject> SubscribeAsync(string customer, string plan, string period = "monthly")
    {
        var session = await CheckoutAsync(customer, plan, period);
        var subscription = Stripe.CompleteCheckout(session);
        await DeliverAsync("checkout.session.completed", Stripe.Session(session));
        return subscription;
    }

    /// <summary>Signs and delivers an event around <paramref name="data"/>; answers Tollgate's response body, failing on anything but 200.</summary>
    public async Task<JsonNode> DeliverAsync(string type, JsonObject data, DateTimeOffset? created = null)
    {
        var response = await Stripe.SignedWebhookAsync(App.Anonymous, Stripe.Event(type, data, created));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{type}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return await response.ReadAsync();
    }

    /// <summary>The customer's subscriptions, newest first.</summary>
    public async Task<JsonArray> SubscriptionsAsync(string customer) =>
        (await App.Admin.PageAsync($"/v1/customers/{customer}/subscriptions"));

    public async Task<T?> ScalarAsync<T>(string sql, object? parameters = null) =>
        await App.Get<TollgateDatabase>().ReadAsync(c => c.ExecuteScalarAsync<T>(sql, parameters));

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}
