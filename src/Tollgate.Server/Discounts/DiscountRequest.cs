namespace Tollgate.Server.Discounts;

/// <summary>What a request asks to apply: a customer-facing promotion code, or a coupon by its id.</summary>
public sealed record DiscountRequest(string? PromotionCode, string? CouponId)
{
    public static DiscountRequest? From(string? promotionCode, string? coupon) =>
        promotionCode is null && coupon is null ? null : new DiscountRequest(promotionCode, coupon);

    public string Describe() => PromotionCode is { } code ? $"promotion code '{code}'" : $"coupon '{CouponId}'";
}
