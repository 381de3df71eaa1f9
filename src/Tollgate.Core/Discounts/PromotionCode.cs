namespace Tollgate.Core.Discounts;

/// <summary>A customer-facing code that redeems a coupon, with limits of its own. Codes compare case-insensitively.</summary>
public sealed record PromotionCode(
    string Id,
    string Code,
    string CouponId,
    long? MaxRedemptions,
    DateTimeOffset? ExpiresAt,
    bool FirstTimeOnly,
    string? CustomerId,
    bool Active,
    long TimesRedeemed,
    DateTimeOffset CreatedAt)
{
    /// <summary>The form codes are stored and looked up by, so "summer20" finds "SUMMER20".</summary>
    public static string KeyOf(string code) => code.Trim().ToUpperInvariant();
}
