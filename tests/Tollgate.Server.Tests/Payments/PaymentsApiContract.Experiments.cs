using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Payments;

/// <summary>Checkout for a visitor in a price experiment: the variant's price sold inline, and the webhook's subscription counted once.</summary>
public abstract partial class PaymentsApiContract
{
    [Fact]
    public async Task CheckoutForAVariantVisitorChargesTheVariantPriceInlineAndTheWebhookSubscriptionIsOneConversion()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        var experiment = await h.App.RunningExperimentAsync();
        var visitor = PriceExperiments.Visitor(experiment, "cheaper");
        (await h.App.Anonymous.GetAsync($"/v1/pricing/plans?visitor={visitor}")).EnsureSuccessStatusCode();
        await h.App.CustomerAsync("ada");
        await h.App.CustomerAsync("bob");

        var session = await VisitorCheckoutAsync(h, "ada", visitor);
        var sent = h.Stripe.Requests.Single(r => r.Path == "/v1/checkout/sessions").Form;
        await CompleteAsync(h, session);
        await CompleteAsync(h, await VisitorCheckoutAsync(h, "bob", visitor));
        var ada = (await h.SubscriptionsAsync("ada")).Single()!;
        var results = await (await h.App.Admin.GetAsync($"/v1/admin/experiments/{experiment}/results")).ReadAsync();

        Assert.Equal(("usd", "2499", "month", FakeStripe.Product("price_pro_monthly"), "1"),
            (sent["line_items[0][price_data][currency]"], sent["line_items[0][price_data][unit_amount]"],
            sent["line_items[0][price_data][recurring][interval]"], sent["line_items[0][price_data][product]"], sent["line_items[0][quantity]"]));
        Assert.False(sent.ContainsKey("line_items[0][price]"));
        Assert.Equal((experiment, "cheaper", visitor), (sent["subscription_data[metadata][tollgate_experiment]"],
            sent["subscription_data[metadata][tollgate_variant]"], sent["subscription_data[metadata][tollgate_visitor]"]));
        Assert.Equal(("pro", 2499L, "active"), (ada["plan"].Value<string>(), ada["price_override_cents"].Value<long>(), ada["status"].Value<string>()));
        Assert.Equal(2499L, (await h.SubscriptionsAsync("bob")).Single()!["price_override_cents"].Value<long>());
        var cheaper = results["variants"]!.AsArray().Single(v => v!["variant"].Value<string>() == "cheaper")!;
        Assert.Equal((1L, 1L, 2499L), (cheaper["visitors"].Value<long>(), cheaper["conversions"].Value<long>(), cheaper["mrr_cents"].Value<long>()));
    }

    [Fact]
    public async Task CheckoutForAControlVisitorSellsTheCatalogPriceAndCountsTheConversionUnderControl()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        var experiment = await h.App.RunningExperimentAsync();
        var visitor = PriceExperiments.Visitor(experiment, "control");
        (await h.App.Anonymous.GetAsync($"/v1/pricing/plans?visitor={visitor}")).EnsureSuccessStatusCode();
        await h.App.CustomerAsync("ada");

        await CompleteAsync(h, await VisitorCheckoutAsync(h, "ada", visitor));
        var unseen = await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", new
        {
            customer = "ada", plan = "pro", success_url = "https://a.example/", cancel_url = "https://a.example/", visitor_id = "not a visitor",
        });
        var sent = h.Stripe.Requests.First(r => r.Path == "/v1/checkout/sessions").Form;
        var ada = (await h.SubscriptionsAsync("ada")).Single()!;
        var control = (await (await h.App.Admin.GetAsync($"/v1/admin/experiments/{experiment}/results")).ReadAsync())["variants"]![0]!;

        Assert.Equal(("price_pro_monthly", "control"), (sent["line_items[0][price]"], sent["subscription_data[metadata][tollgate_variant]"]));
        Assert.False(sent.ContainsKey("subscription_data[metadata][tollgate_price_cents]"));
        Assert.Null(ada["price_override_cents"]);
        Assert.Equal(("control", 1L, 3000L), (control["variant"].Value<string>(), control["conversions"].Value<long>(), control["mrr_cents"].Value<long>()));
        Assert.Equal(HttpStatusCode.BadRequest, unseen.StatusCode);
        Assert.NotNull((await unseen.ReadAsync())["errors"]!["visitor_id"]);
    }

    private static async Task<string> VisitorCheckoutAsync(PaymentsHarness h, string customer, string visitor)
    {
        var response = await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", new
        {
            customer, plan = "pro", success_url = "https://a.example/done", cancel_url = "https://a.example/", visitor_id = visitor,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadAsync())["session_id"].Value<string>()!;
    }

    /// <summary>Payment on Stripe's page; checkout.session.completed, then the subscription's own created event, replayed.</summary>
    private static async Task CompleteAsync(PaymentsHarness h, string session)
    {
        JsonObject subscription = h.Stripe.CompleteCheckout(session);
        await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(session));
        await h.DeliverAsync("customer.subscription.created", subscription);
    }
}
