using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Discounts;

/// <summary>Coupons with Stripe Checkout and Stripe-billed subscriptions, against the local fake Stripe.</summary>
public abstract class StripeDiscountsContract : ApiContract
{
    private static object Checkout(string? code = null, bool allow = false) => new
    {
        customer = "ada", plan = "pro", success_url = "https://app.example.com/done", cancel_url = "https://app.example.com/pricing",
        promotion_code = code, allow_promotion_codes = allow,
    };

    [Fact]
    public async Task ACheckoutWithAPromotionCodePassesItsStripeCouponAndOneWithoutCanAllowCodes()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");
        await h.App.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "TWENTY", name = "20%", percent_off = 20, duration = "forever", stripe_coupon_id = "co_twenty" });
        await h.App.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "LOCAL", name = "Local", percent_off = 10, duration = "forever" });
        await h.App.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code = "SAVE20", coupon = "TWENTY" });
        await h.App.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code = "LOCAL10", coupon = "LOCAL" });

        var withCode = await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", Checkout("save20"));
        var allowing = await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", Checkout(allow: true));
        var unknown = await (await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", Checkout("NOPE"))).ReadAsync();
        var unlinked = await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", Checkout("LOCAL10"));
        var sessions = h.Stripe.Requests.Where(r => r.Path == "/v1/checkout/sessions").ToList();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (withCode.StatusCode, allowing.StatusCode));
        Assert.Equal(2, sessions.Count);
        Assert.Equal("co_twenty", sessions[0].Form["discounts[0][coupon]"]);
        Assert.False(sessions[0].Form.ContainsKey("allow_promotion_codes"));
        Assert.Equal("true", sessions[1].Form["allow_promotion_codes"]);
        Assert.False(sessions[1].Form.ContainsKey("discounts[0][coupon]"));
        Assert.Equal(("promotion_code_invalid", "unknown"), (unknown["error"].Value<string>(), unknown["reason"].Value<string>()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unlinked.StatusCode);
    }

    [Fact]
    public async Task ADiscountStripeAppliesToASubscriptionItBillsComesBackThroughTheWebhook()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");
        await h.App.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "TWENTY", name = "20%", percent_off = 20, duration = "forever", stripe_coupon_id = "co_twenty" });
        var stripeSubscription = await h.SubscribeAsync("ada", "pro");
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"].Value<string>();
        var discount = new JsonObject
        {
            ["id"] = "di_stripe_1", ["object"] = "discount", ["customer"] = stripeSubscription["customer"]!.GetValue<string>(),
            ["subscription"] = stripeSubscription["id"]!.GetValue<string>(), ["start"] = h.Stripe.Clock.GetUtcNow().ToUnixTimeSeconds(), ["end"] = null,
            ["source"] = new JsonObject { ["type"] = "coupon", ["coupon"] = "co_twenty" },
        };

        var created = await h.DeliverAsync("customer.discount.created", discount);
        var shown = await (await h.App.Admin.GetAsync($"/v1/subscriptions/{id}/discount")).ReadAsync();
        var refused = await h.App.Admin.PostJsonAsync($"/v1/subscriptions/{id}/discount", new { coupon = "TWENTY" });
        await h.DeliverAsync("customer.discount.deleted", (JsonObject)discount.DeepClone());
        var gone = await h.App.Admin.GetAsync($"/v1/subscriptions/{id}/discount");

        Assert.Equal("ok", created["outcome"].Value<string>());
        Assert.Equal(("TWENTY", 20m), (shown["coupon"]!["id"].Value<string>(), shown["coupon"]!["percent_off"].Value<decimal>()));
        Assert.Equal("managed_by_stripe", (await refused.ReadAsync())["error"].Value<string>());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}

public sealed class SqliteStripeDiscountsTests : StripeDiscountsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresStripeDiscountsTests : StripeDiscountsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
