namespace Tollgate.Storage.Discounts;

/// <summary>
/// Thrown inside a write transaction when a code or coupon cannot be applied, so the transaction rolls back and the
/// request writes nothing; the API answers it with 400 promotion_code_invalid.
/// </summary>
public sealed class DiscountRefusedException(string reason, string detail) : Exception(detail)
{
    public string Reason { get; } = reason;
}

/// <summary>What a request asks to apply: a customer-facing promotion code, or a coupon by its id.</summary>
public sealed record DiscountRequest(string? PromotionCode, string? CouponId)
{
    public static DiscountRequest? From(string? promotionCode, string? coupon) =>
        promotionCode is null && coupon is null ? null : new DiscountRequest(promotionCode, coupon);

    public string Describe() => PromotionCode is { } code ? $"promotion code '{code}'" : $"coupon '{CouponId}'";
}

/// <summary>A public promotion code that a visitor may still redeem, and what it makes of a price.</summary>
public sealed record PromotionOffer(Tollgate.Core.Discounts.PromotionCode Code, Tollgate.Core.Discounts.Coupon Coupon)
{
    /// <summary>The price for one period under the coupon, or null when it does not apply to this plan or currency.</summary>
    public long? PriceFor(string planCode, Tollgate.Core.Catalog.PlanPrice price)
    {
        if (!Coupon.AppliesTo(planCode) || (Coupon.Currency is { } c && !string.Equals(c, price.Currency, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var off = Coupon.PercentOffBasisPoints is { } bp
            ? Tollgate.Core.Discounts.DiscountedLines.PercentOf(price.PriceCents, bp)
            : Math.Min(price.PriceCents, Coupon.AmountOffCents ?? 0);
        return price.PriceCents - off;
    }
}
