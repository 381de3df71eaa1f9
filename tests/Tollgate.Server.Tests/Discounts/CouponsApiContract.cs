using System.Net;
using Tollgate.Testing;
using static Tollgate.Server.Tests.Discounts.DiscountsSetup;

namespace Tollgate.Server.Tests.Discounts;

/// <summary>Coupons and promotion codes through the admin API, refusals that write nothing, and exact redemption limits.</summary>
public abstract class CouponsApiContract : ApiContract
{
    [Fact]
    public async Task CouponsAreReadAndListedInPagesAPercentKeepsItsTwoDecimalsAndALowercaseCurrencyIsKeptInCapitals()
    {
        await using var app = await StartAsync(Settings());
        var created = await app.CouponAsync(new { id = "A", name = "A", percent_off = 12.25, duration = "once", max_redemptions = 3 });
        await app.CouponAsync(new { id = "B", name = "B", amount_off_cents = 500, currency = "usd", duration = "repeating", duration_in_months = 2 });

        var first = await (await app.Admin.GetAsync("/v1/admin/coupons?limit=1")).ReadAsync();
        var second = await (await app.Admin.GetAsync($"/v1/admin/coupons?limit=1&cursor={first["next_cursor"].Value<string>()}")).ReadAsync();
        var read = await (await app.Admin.GetAsync("/v1/admin/coupons/B")).ReadAsync();
        var again = await app.Admin.PostJsonAsync("/v1/admin/coupons", new { id = "A", name = "A", percent_off = 5, duration = "once" });

        Assert.Equal((12.25m, 3L, true), (created["percent_off"].Value<decimal>(), created["max_redemptions"].Value<long>(), created["valid"].Value<bool>()));
        Assert.Equal(("A", true), (first["data"]![0]!["id"].Value<string>(), first["has_more"].Value<bool>()));
        Assert.Equal(("B", false), (second["data"]![0]!["id"].Value<string>(), second["has_more"].Value<bool>()));
        Assert.Equal((500L, "USD", 2), (read["amount_off_cents"].Value<long>(), read["currency"].Value<string>(), read["duration_in_months"].Value<int>()));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task ABadCouponNamesEveryWrongFieldAndWritesNothing()
    {
        await using var app = await StartAsync(Settings());

        var response = await app.Admin.PostJsonAsync("/v1/admin/coupons", new
        {
            id = "X", name = "X", percent_off = 10.005, duration = "repeating", applies_to_plans = new[] { "gold" }, max_redemptions = 0,
        });
        var body = await response.ReadAsync();
        var list = await (await app.Admin.GetAsync("/v1/admin/coupons")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["applies_to_plans", "duration_in_months", "max_redemptions", "percent_off"],
            body["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Empty(list["data"]!.AsArray());
    }

    [Theory]
    [InlineData("1e400", "is too large")]
    [InlineData("-1e400", "is too small")]
    [InlineData("20.0000000000000000000000000001", "must be a number of at most 28 significant digits, exactly as written")] // read as 20
    public async Task APercentPastWhatANumberHoldsIsTooLargeOrSmallNamingItNotInvalidJson(string percent, string problem)
    {
        await using var app = await StartAsync(Settings());

        var response = await app.Admin.PostJsonAsync("/v1/admin/coupons",
            $$"""{"id": "HUGE", "name": "Huge", "percent_off": {{percent}}, "duration": "forever"}""");
        var body = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed", problem),
            (response.StatusCode, body["error"].Value<string>(), body["errors"]?["percent_off"].Value<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin.GetAsync("/v1/admin/coupons/HUGE")).StatusCode);
    }

    [Fact]
    public async Task ANullPlanInAppliesToPlansIs400NamingItsPlaceAndWritesNothing()
    {
        await using var app = await StartAsync(Settings());

        var response = await app.Admin.PostJsonAsync("/v1/admin/coupons", new
        {
            id = "ONLYX", name = "X", percent_off = 90, duration = "forever", applies_to_plans = new[] { "basic", null },
        });
        var body = await response.ReadAsync();
        var read = await app.Admin.GetAsync("/v1/admin/coupons/ONLYX");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["applies_to_plans[1]"], body["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task PromotionCodesAreCaseInsensitiveUniqueAndCanBeDeactivated()
    {
        await using var app = await StartAsync(Settings());
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        var code = await app.CodeAsync(new { code = "Launch", coupon = "TWENTY", max_redemptions = 5 });

        var clash = await app.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code = "LAUNCH", coupon = "TWENTY" });
        var noCoupon = await (await app.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code = "OTHER", coupon = "NOPE" })).ReadAsync();
        var byCode = await (await app.Admin.GetAsync("/v1/admin/promotion-codes/launch")).ReadAsync();
        var off = await (await app.Admin.PostAsync(new Uri($"/v1/admin/promotion-codes/{code["id"].Value<string>()}/deactivate", UriKind.Relative), null))
            .ReadAsync();
        var other = await app.CodeAsync(new { code = "Spring", coupon = "TWENTY" });
        // Named by the code itself, as a read takes it: the code is deactivated, not answered as it was.
        var offByCode = await (await app.Admin.PostAsync(new Uri("/v1/admin/promotion-codes/spring/deactivate", UriKind.Relative), null)).ReadAsync();
        var listed = await (await app.Admin.GetAsync("/v1/admin/promotion-codes?coupon=TWENTY")).ReadAsync();

        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        Assert.Equal("no coupon 'NOPE'", noCoupon["errors"]!["coupon"].Value<string>());
        Assert.Equal(("Launch", "TWENTY"), (byCode["code"].Value<string>(), byCode["coupon"]!["id"].Value<string>()));
        Assert.False(off["active"].Value<bool>());
        Assert.Equal((other["id"].Value<string>(), false), (offByCode["id"].Value<string>(), offByCode["active"].Value<bool>()));
        Assert.Equal(2, listed["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task EachRefusedCodeSaysWhyAndWritesNothing()
    {
        await using var app = await StartAsync(Settings(), Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CouponAsync(new { id = "PREMIUM", name = "Premium only", percent_off = 20, duration = "forever", applies_to_plans = new[] { "premium" } });
        await app.CodeAsync(new { code = "SOON", coupon = "TWENTY", expires_at = "2026-01-02T00:00:00Z" });
        await app.CodeAsync(new { code = "ONCE", coupon = "TWENTY", max_redemptions = 1 });
        await app.CodeAsync(new { code = "PREM", coupon = "PREMIUM" });
        await app.CodeAsync(new { code = "NEWBIE", coupon = "TWENTY", first_time_only = true });
        await app.CodeAsync(new { code = "OFF", coupon = "TWENTY", active = false });
        foreach (var c in new[] { "used", "veteran", "c1" })
        {
            await app.CustomerAsync(c);
        }

        await app.SubscribeWithAsync("used", "basic", code: "ONCE");
        var old = (await (await app.SubscribeWithAsync("veteran", "basic")).ReadAsync())["id"].Value<string>();
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{old}/cancel", new { at_period_end = false });
        await app.AdvanceToAsync(Utc(2026, 1, 3));

        var reasons = new List<string?>();
        foreach (var code in new[] { "NOPE", "SOON", "ONCE", "PREM", "OFF" })
        {
            reasons.Add((await (await app.SubscribeWithAsync("c1", "basic", code: code)).ReadAsync())["reason"].Value<string>());
        }

        var veteran = await (await app.SubscribeWithAsync("veteran", "basic", code: "NEWBIE")).ReadAsync();
        var once = await (await app.Admin.GetAsync("/v1/admin/promotion-codes/ONCE")).ReadAsync();

        Assert.Equal(["unknown", "expired", "used_up", "not_applicable", "inactive"], reasons);
        Assert.Equal(("promotion_code_invalid", "first_time_only", "promotion_code"),
            (veteran["error"].Value<string>(), veteran["reason"].Value<string>(), veteran["field"].Value<string>()));
        Assert.Empty((await (await app.Admin.GetAsync("/v1/customers/c1/subscriptions")).ReadAsync())["data"]!.AsArray());
        Assert.Empty(await app.InvoicesAsync("c1"));
        Assert.Equal(1L, once["times_redeemed"].Value<long>());
    }

    [Fact]
    public async Task FiftyConcurrentRedemptionsOfACodeLimitedToTenGiveExactlyTen()
    {
        await using var app = await StartAsync(Settings());
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CodeAsync(new { code = "FIRST10", coupon = "TWENTY", max_redemptions = 10 });
        var customers = Enumerable.Range(0, 50).Select(i => $"c{i}").ToList();
        foreach (var c in customers)
        {
            await app.CustomerAsync(c);
        }

        var responses = await Task.WhenAll(customers.Select(c => app.SubscribeWithAsync(c, "basic", code: "first10")));
        var code = await (await app.Admin.GetAsync("/v1/admin/promotion-codes/FIRST10")).ReadAsync();

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(40, responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
        Assert.Equal((10L, 10L), (code["times_redeemed"].Value<long>(), code["coupon"]!["times_redeemed"].Value<long>()));
    }
}

public sealed class SqliteCouponsApiTests : CouponsApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCouponsApiTests : CouponsApiContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does: two readings in one operation differ here.</summary>
public sealed class TickingClockCouponsApiTests : CouponsApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
