using Tollgate.Core.Catalog;
using Tollgate.Core.Discounts;

namespace Tollgate.Server.Discounts;

/// <summary>A public promotion code that a visitor may still redeem, and what it makes of a price.</summary>
public sealed record PromotionOffer(PromotionCode Code, Coupon Coupon)
{
    /// <summary>The price for one period under the coupon, or null when it does not apply to this plan or currency.</summary>
    public long? PriceFor(string planCode, PlanPrice price)
    {
        if (!Coupon.AppliesTo(planCode) || Coupon.InCurrency(price.Currency) is not { } coupon)
        {
            return null;
        }

        var off = coupon.PercentOffBasisPoints is { } bp
            ? DiscountedLines.PercentOf(price.PriceCents, bp)
            : Math.Min(price.PriceCents, coupon.AmountOffCents ?? 0);
        return price.PriceCents - off;
    }
}
