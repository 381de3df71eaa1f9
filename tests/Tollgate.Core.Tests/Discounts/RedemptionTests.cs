using Tollgate.Core.Discounts;

namespace Tollgate.Core.Tests.Discounts;

public sealed class RedemptionTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Coupon Coupon = new("SUMMER", "Summer", 2000, null, null, CouponDuration.Forever, null, ["pro"], 5, Now.AddDays(30), 0, null,
        Now.AddDays(-1));

    private static readonly PromotionCode Code = new("promo_1", "summer20", "SUMMER", 3, Now.AddDays(10), false, null, true, 0, Now.AddDays(-1));

    private static string? Refusal(Coupon? coupon, PromotionCode? code, string plan = "pro", string customer = "c1", bool firstTime = true) =>
        Redemption.Refusal(coupon, code, plan, "USD", customer, firstTime, Now);

    [Fact]
    public void AValidCodeForItsPlanIsAccepted() => Assert.Null(Refusal(Coupon, Code));

    [Fact]
    public void EachRuleRefusesWithItsOwnReason()
    {
        Assert.Equal("unknown", Refusal(null, null));
        Assert.Equal("inactive", Refusal(Coupon, Code with { Active = false }));
        Assert.Equal("inactive", Refusal(Coupon with { DeletedAt = Now }, Code));
        Assert.Equal("expired", Refusal(Coupon, Code with { ExpiresAt = Now }));
        Assert.Equal("expired", Refusal(Coupon with { RedeemBy = Now.AddSeconds(-1) }, null));
        Assert.Equal("used_up", Refusal(Coupon, Code with { TimesRedeemed = 3 }));
        Assert.Equal("used_up", Refusal(Coupon with { TimesRedeemed = 5 }, Code));
        Assert.Equal("not_applicable", Refusal(Coupon, Code, plan: "basic"));
        Assert.Equal("not_applicable", Refusal(Coupon, Code with { CustomerId = "someone_else" }));
        Assert.Equal("not_applicable", Refusal(Coupon with { PercentOffBasisPoints = null, AmountOffCents = 500, Currency = "EUR" }, Code));
        Assert.Equal("first_time_only", Refusal(Coupon, Code with { FirstTimeOnly = true }, firstTime: false));
    }

    [Fact]
    public void CodesCompareWithoutRegardToCase() => Assert.Equal(PromotionCode.KeyOf("Summer20 "), PromotionCode.KeyOf("SUMMER20"));
}
