using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>Checkout passes the seats to Stripe as the quantity, and Stripe's quantity keeps the seats in step (against the local fake Stripe).</summary>
public abstract class StripeSeatsContract
{
    protected abstract StoreKind Kind { get; }

    // Applied on top of the payments catalog: a per-seat plan that Stripe sells.
    private const string SeatPlan = """
        {
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "squad", "name": "Squad", "sort_order": 5,
              "prices": [ { "billing_period": "monthly", "price_cents": 1500, "stripe_price_id": "price_squad_monthly",
                            "per_seat": true, "included_seats": 2, "max_seats": 10 } ],
              "features": [ { "feature_code": "api_calls", "limit": 100, "per_seat": true } ] }
          ]
        }
        """;

    private async Task<PaymentsHarness> StartAsync()
    {
        var harness = await PaymentsHarness.StartAsync(Kind, [.. PaymentsHarness.CatalogPrices, "price_squad_monthly"]);
        var applied = await harness.App.Admin.PutAsync("/v1/admin/catalog", new StringContent(SeatPlan, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        await harness.App.CustomerAsync("acme");
        return harness;
    }

    [Fact]
    public async Task CheckoutAsksStripeForTheSeatsAsTheQuantity()
    {
        await using var harness = await StartAsync();

        var checkout = await harness.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", new
        {
            customer = "acme", plan = "squad", seats = 4, success_url = "https://app.example.com/done", cancel_url = "https://app.example.com/pricing",
        });
        var tooMany = await harness.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", new
        {
            customer = "acme", plan = "squad", seats = 11, success_url = "https://app.example.com/done", cancel_url = "https://app.example.com/pricing",
        });
        var sent = harness.Stripe.Requests.Single(r => r.Path == "/v1/checkout/sessions");

        Assert.Equal(HttpStatusCode.OK, checkout.StatusCode);
        Assert.Equal(("price_squad_monthly", "4"), (sent.Form["line_items[0][price]"], sent.Form["line_items[0][quantity]"]));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.NotNull((await tooMany.ReadAsync())["errors"]!["seats"]);
    }

    [Fact]
    public async Task StripesQuantityOnASubscriptionUpdateBecomesTheSeats()
    {
        await using var harness = await StartAsync();
        var stripeSubscription = await harness.SubscribeAsync("acme", "squad");

        var items = stripeSubscription["items"]!["data"]!.AsArray();
        items[0]!["quantity"] = 6;
        await harness.DeliverAsync("customer.subscription.updated", stripeSubscription, harness.App.Clock.GetUtcNow().AddMinutes(1));
        var subscription = (await harness.SubscriptionsAsync("acme"))[0]!;
        var entitlements = await (await harness.App.Admin.GetAsync("/v1/customers/acme/entitlements")).ReadAsync();

        Assert.Equal(6, subscription["seats"].Value<int>());
        Assert.Equal(600L, entitlements["features"]!.AsArray().Single(f => f!["feature"].Value<string>() == "api_calls")!["limit"].Value<long>());
    }

    [Fact]
    public async Task ChangingTheSeatsOfAStripeBilledSubscriptionSetsStripesQuantityAndKeepsTollgateInStep()
    {
        await using var harness = await StartAsync();
        var stripeSubscription = await harness.SubscribeAsync("acme", "squad");
        var stripeId = stripeSubscription["id"]!.GetValue<string>();
        var itemId = stripeSubscription["items"]!["data"]![0]!["id"]!.GetValue<string>();
        var id = (await harness.SubscriptionsAsync("acme"))[0]!["id"].Value<string>();

        var added = await harness.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 5 });
        var sent = harness.Stripe.Requests.Last(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{stripeId}");
        var quietRemoval = await harness.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 3 });
        var tooMany = await harness.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 11 });
        // Stripe bills it: its prorations go on Stripe's next invoice, which Tollgate cannot bring forward.
        var invoiceNow = await harness.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 6, proration = "always_invoice" });
        var removed = await harness.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 3, effective = "immediate" });
        var removal = harness.Stripe.Requests.Last(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{stripeId}");
        var subscription = (await harness.SubscriptionsAsync("acme"))[0]!;

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(5, (await added.ReadAsync())["subscription"]!["seats"].Value<int>());
        Assert.Equal((itemId, "5", "none"), (sent.Form["items[0][id]"], sent.Form["items[0][quantity]"], sent.Form["proration_behavior"]));
        Assert.StartsWith("tollgate-seats-", sent.IdempotencyKey, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, quietRemoval.StatusCode);
        Assert.NotNull((await quietRemoval.ReadAsync())["errors"]!["effective"]);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.NotNull((await tooMany.ReadAsync())["errors"]!["seats"]);
        Assert.Equal(HttpStatusCode.BadRequest, invoiceNow.StatusCode);
        Assert.NotNull((await invoiceNow.ReadAsync())["errors"]!["proration"]);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal("3", removal.Form["items[0][quantity]"]);
        Assert.Equal(3, subscription["seats"].Value<int>());
        Assert.Equal(3, harness.Stripe.Subscription(stripeId)["items"]!["data"]![0]!["quantity"]!.GetValue<int>());
    }

    [Fact]
    public async Task AMemberAddedWhileStripeLowersTheSeatsMakesTollgateRefuseAndPutsStripesQuantityBack()
    {
        await using var harness = await StartAsync();
        var stripeId = (await harness.SubscribeAsync("acme", "squad"))["id"]!.GetValue<string>();
        var id = (await harness.SubscriptionsAsync("acme"))[0]!["id"].Value<string>();
        Assert.Equal(HttpStatusCode.OK, (await harness.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 4 })).StatusCode);
        foreach (var member in new[] { "ann", "ben", "cat" })
        {
            Assert.Equal(HttpStatusCode.Created, (await AddMemberAsync(harness, member)).StatusCode);
        }

        HttpStatusCode? lateMember = null;
        harness.Stripe.BeforePost = async (path, form) =>
        {
            if (form.GetValueOrDefault("items[0][quantity]") == "3" && lateMember is null)
            {
                lateMember = (await AddMemberAsync(harness, "dan")).StatusCode; // the fourth seat is taken while Stripe is being asked
            }
        };
        var lowered = await harness.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", new { seats = 3, effective = "immediate" });
        var quantities = harness.Stripe.Requests.Where(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{stripeId}")
            .Select(r => r.Form["items[0][quantity]"]).ToList();

        Assert.Equal((HttpStatusCode.Conflict, "seats_in_use"), (lowered.StatusCode, (await lowered.ReadAsync())["error"].Value<string>()));
        Assert.Equal(HttpStatusCode.Created, lateMember);
        Assert.Equal(["4", "3", "4"], quantities);
        Assert.Equal(4, harness.Stripe.Subscription(stripeId)["items"]!["data"]![0]!["quantity"]!.GetValue<int>());
        Assert.Equal(4, (await harness.SubscriptionsAsync("acme"))[0]!["seats"].Value<int>());
    }

    private static Task<HttpResponseMessage> AddMemberAsync(PaymentsHarness harness, string member) =>
        harness.App.Admin.PutJsonAsync($"/v1/customers/acme/members/{member}", new { email = $"{member}@example.com", name = member, role = "member" });
}

public sealed class SqliteStripeSeatsTests : StripeSeatsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresStripeSeatsTests : StripeSeatsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
