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
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
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
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
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
    [Fact]
    public async Task ASubscriptionUpdatedEventCarryingDiscountsKeepsTheMirroredDiscountInStep()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: ClockSettings);
        await h.App.CustomerAsync("ada");
        await h.App.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "TWENTY", name = "20%", percent_off = 20, duration = "forever", stripe_coupon_id = "co_twenty" });
        await h.App.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "TEN", name = "10%", percent_off = 10, duration = "forever", stripe_coupon_id = "co_ten" });
        var stripeSubscription = await h.SubscribeAsync("ada", "pro");
        var stripeId = stripeSubscription["id"]!.GetValue<string>();
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"].Value<string>();
        var start = h.Stripe.Clock.GetUtcNow().ToUnixTimeSeconds();
        JsonObject With(string field, JsonNode? value)
        {
            var updated = (JsonObject)stripeSubscription.DeepClone();
            updated[field] = value;
            return updated;
        }

        async Task<string?> ShownAsync() =>
            (await (await h.App.Admin.GetAsync($"/v1/subscriptions/{id}")).ReadAsync())["discount"]?["coupon"]?["id"].Value<string>();

        // basil, expanded: discounts[] of discount objects naming the coupon under source.
        var added = await h.DeliverAsync("customer.subscription.updated", With("discounts", new JsonArray(new JsonObject
        {
            ["id"] = "di_1", ["object"] = "discount", ["subscription"] = stripeId, ["start"] = start, ["end"] = null,
            ["source"] = new JsonObject { ["type"] = "coupon", ["coupon"] = "co_twenty" },
        })));
        var afterAdded = await ShownAsync();
        var sameAgain = await h.DeliverAsync("customer.discount.created", new JsonObject
        {
            ["id"] = "di_1", ["object"] = "discount", ["subscription"] = stripeId, ["start"] = start, ["end"] = null,
            ["source"] = new JsonObject { ["type"] = "coupon", ["coupon"] = "co_twenty" },
        });
        var twentyRedeemed = (await (await h.App.Admin.GetAsync("/v1/admin/coupons/TWENTY")).ReadAsync())["times_redeemed"].Value<long>();
        // Older API versions: one discount object, its coupon an object.
        await h.DeliverAsync("customer.subscription.updated", With("discount", new JsonObject
        {
            ["id"] = "di_2", ["object"] = "discount", ["subscription"] = stripeId, ["start"] = start + 60, ["end"] = null,
            ["coupon"] = new JsonObject { ["id"] = "co_ten", ["object"] = "coupon", ["percent_off"] = 10 },
        }));
        var afterReplaced = await ShownAsync();
        // Unexpanded ids say which discounts, not which coupons: the mirrored one stays.
        await h.DeliverAsync("customer.subscription.updated", With("discounts", new JsonArray("di_2")));
        var afterIds = await ShownAsync();
        await h.DeliverAsync("customer.subscription.updated", With("discounts", new JsonArray()));
        var afterCleared = await ShownAsync();

        Assert.Equal("ok", added["outcome"].Value<string>());
        Assert.Contains("discounted by TWENTY", added["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(("TWENTY", "ok", 1L), (afterAdded, sameAgain["outcome"].Value<string>(), twentyRedeemed));
        Assert.Equal(("TEN", "TEN"), (afterReplaced, afterIds));
        Assert.Null(afterCleared);
    }

    private static object CheckoutFor(string customer, string code) => new
    {
        customer, plan = "pro", success_url = "https://app.example.com/done", cancel_url = "https://app.example.com/pricing", promotion_code = code,
    };

    private async Task<PaymentsHarness> WithCodeAsync(StoreKind kind, int? maxRedemptions)
    {
        var h = await PaymentsHarness.StartAsync(kind, extra: ClockSettings);
        await h.App.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "TWENTY", name = "20%", percent_off = 20, duration = "forever", stripe_coupon_id = "co_twenty" });
        await h.App.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code = "ONE", coupon = "TWENTY", max_redemptions = maxRedemptions });
        return h;
    }

    private static async Task<long> RedeemedAsync(PaymentsHarness h, string path) =>
        (await (await h.App.Admin.GetAsync(path)).ReadAsync())["times_redeemed"].Value<long>();

    [Fact]
    public async Task ConcurrentCheckoutsWithACodeLeftForOneRedeemItOnceAndAnExpiredSessionGivesItBack()
    {
        await using var h = await WithCodeAsync(Kind, maxRedemptions: 1);
        var customers = Enumerable.Range(0, 6).Select(i => $"c{i}").ToList();
        foreach (var customer in customers)
        {
            await h.App.CustomerAsync(customer);
        }

        var answers = await Task.WhenAll(customers.Select(c => h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", CheckoutFor(c, "ONE"))));
        var made = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        var refusals = await Task.WhenAll(answers.Where(a => a != made).Select(a => a.ReadAsync()));
        var redeemed = await RedeemedAsync(h, "/v1/admin/promotion-codes/ONE");
        var session = h.Stripe.Session((await made.ReadAsync())["session_id"].Value<string>()!);
        var expired = await h.DeliverAsync("checkout.session.expired", session);
        var again = await h.DeliverAsync("checkout.session.expired", (JsonObject)session.DeepClone());
        var afterExpiry = (await RedeemedAsync(h, "/v1/admin/promotion-codes/ONE"), await RedeemedAsync(h, "/v1/admin/coupons/TWENTY"));
        var next = await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", CheckoutFor("c5", "ONE"));

        Assert.All(refusals, r => Assert.Equal(("promotion_code_invalid", "used_up"), (r["error"].Value<string>(), r["reason"].Value<string>())));
        Assert.Equal(1L, redeemed);
        Assert.Equal(("ok", "ignored"), (expired["outcome"].Value<string>(), again["outcome"].Value<string>()));
        Assert.Equal((0L, 0L), afterExpiry);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task ACheckoutHoldThatNoWebhookReportsIsGivenBackOnceItsSessionHasExpired()
    {
        await using var h = await WithCodeAsync(Kind, maxRedemptions: 1);
        await h.App.CustomerAsync("c0");
        await h.App.CustomerAsync("c1");

        var made = await (await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", CheckoutFor("c0", "ONE"))).ReadAsync();
        var session = h.Stripe.Session(made["session_id"].Value<string>()!);
        var holdExpiry = await h.ScalarAsync<long>("SELECT expires_at FROM checkout_redemptions");
        var whileHeld = await (await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", CheckoutFor("c1", "ONE"))).ReadAsync();
        await h.App.AdvanceAsync(DateTimeOffset.FromUnixTimeSeconds(session["expires_at"]!.GetValue<long>()) - h.App.Clock.GetUtcNow());
        var afterExpiry = await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", CheckoutFor("c1", "ONE"));
        var states = await h.ScalarAsync<string>("SELECT status FROM checkout_redemptions WHERE customer_id = 'c0'");

        Assert.Equal(session["expires_at"]!.GetValue<long>() * 1000, holdExpiry);
        Assert.Equal("used_up", whileHeld["reason"].Value<string>());
        Assert.Equal(HttpStatusCode.OK, afterExpiry.StatusCode);
        Assert.Equal("released", states);
        Assert.Equal(1L, await RedeemedAsync(h, "/v1/admin/promotion-codes/ONE"));
    }

    [Fact]
    public async Task AnExpiredCheckoutHoldIsGivenBackByTheSweepWithoutAnotherRedemptionAndTwoSweepsAtOnceGiveItBackOnce()
    {
        await using var h = await WithCodeAsync(Kind, maxRedemptions: 5);
        await h.App.CustomerAsync("c0");
        await h.App.CustomerAsync("c1");
        async Task<DateTimeOffset> HoldAsync(string customer) => DateTimeOffset.FromUnixTimeSeconds(h.Stripe.Session((await (await h.App.Admin
            .PostJsonAsync("/v1/billing/checkout-sessions", CheckoutFor(customer, "ONE"))).ReadAsync())["session_id"].Value<string>()!)["expires_at"]!
            .GetValue<long>());

        var first = await HoldAsync("c0");
        await h.App.AdvanceAsync(TimeSpan.FromHours(1));
        var second = await HoldAsync("c1");
        await h.App.AdvanceAsync(first - h.App.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        var beforeExpiry = await RedeemedAsync(h, "/v1/admin/promotion-codes/ONE");
        await h.App.AdvanceAsync(TimeSpan.FromSeconds(1));
        var atFirstExpiry = await RedeemedAsync(h, "/v1/admin/promotion-codes/ONE");
        h.App.Clock.SetUtcNow(second);
        var discounts = h.App.Get<Tollgate.Server.Discounts.DiscountStore>(); // what the due work runs, twice at once like two nodes
        var swept = await Task.WhenAll(discounts.ReleaseExpiredCheckoutHoldsAsync(), discounts.ReleaseExpiredCheckoutHoldsAsync());
        var statuses = await h.ScalarAsync<long>("SELECT COUNT(*) FROM checkout_redemptions WHERE status = 'released'");

        Assert.Equal((2L, 1L), (beforeExpiry, atFirstExpiry));
        Assert.Equal(1, swept.Sum());
        Assert.Equal((0L, 0L, 2L), (await RedeemedAsync(h, "/v1/admin/promotion-codes/ONE"), await RedeemedAsync(h, "/v1/admin/coupons/TWENTY"), statuses));
    }

    [Fact]
    public async Task TheTestClockMovedPastAHoldsExpiryGivesItBackAtThatInstant()
    {
        await using var h = await WithCodeAsync(Kind, maxRedemptions: 5);
        await h.App.CustomerAsync("c0");
        await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", CheckoutFor("c0", "ONE"));
        var expiry = await h.ScalarAsync<long>("SELECT expires_at FROM checkout_redemptions");

        await h.App.AdvanceAsync(TimeSpan.FromDays(3));

        // On a ticking clock the release runs a few milliseconds after the instant the advance stopped at.
        Assert.InRange(await h.ScalarAsync<long>("SELECT settled_at FROM checkout_redemptions WHERE status = 'released'"), expiry,
            expiry + (TickingClock ? 1000 : 0));
    }

    [Fact]
    public async Task StripesDiscountOnTheSubscriptionACheckoutMadeUsesTheHeldRedemptionInsteadOfCountingTheCouponAgain()
    {
        await using var h = await WithCodeAsync(Kind, maxRedemptions: 5);
        await h.App.CustomerAsync("ada");
        var made = await (await h.App.Admin.PostJsonAsync("/v1/billing/checkout-sessions", CheckoutFor("ada", "one"))).ReadAsync();
        var sessionId = made["session_id"].Value<string>()!;
        var stripeSubscription = h.Stripe.CompleteCheckout(sessionId);
        await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(sessionId));
        var id = (await h.SubscriptionsAsync("ada"))[0]!["id"].Value<string>();
        await h.DeliverAsync("customer.discount.created", new JsonObject
        {
            ["id"] = "di_stripe_2", ["object"] = "discount", ["customer"] = stripeSubscription["customer"]!.GetValue<string>(),
            ["subscription"] = stripeSubscription["id"]!.GetValue<string>(), ["start"] = h.Stripe.Clock.GetUtcNow().ToUnixTimeSeconds(), ["end"] = null,
            ["source"] = new JsonObject { ["type"] = "coupon", ["coupon"] = "co_twenty" },
        });
        var discount = await (await h.App.Admin.GetAsync($"/v1/subscriptions/{id}/discount")).ReadAsync();
        var code = await (await h.App.Admin.GetAsync("/v1/admin/promotion-codes/ONE")).ReadAsync();

        Assert.Equal((1L, 1L), (await RedeemedAsync(h, "/v1/admin/coupons/TWENTY"), code["times_redeemed"].Value<long>()));
        Assert.Equal(("TWENTY", code["id"].Value<string>()), (discount["coupon"]!["id"].Value<string>(), discount["promotion_code"].Value<string>()));
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

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingStripeDiscountsTests : StripeDiscountsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
