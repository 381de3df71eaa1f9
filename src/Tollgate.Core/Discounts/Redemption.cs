namespace Tollgate.Core.Discounts;

/// <summary>Why a code or coupon cannot be applied; the wire names are the reason field of promotion_code_invalid.</summary>
public static class RefusalReasons
{
    public const string Unknown = "unknown";
    public const string Expired = "expired";
    public const string UsedUp = "used_up";
    public const string NotApplicable = "not_applicable";
    public const string FirstTimeOnly = "first_time_only";
    public const string Inactive = "inactive";
}

/// <summary>The rules a redemption passes before its counters are taken, in the order their reasons are reported.</summary>
public static class Redemption
{
    /// <summary>Null when <paramref name="coupon"/> (through <paramref name="code"/>, if one was given) may be applied.</summary>
    public static string? Refusal(
        Coupon? coupon, PromotionCode? code, string planCode, string currency, string customerId, bool firstTime, DateTimeOffset now)
    {
        if (coupon is null)
        {
            return RefusalReasons.Unknown;
        }

        if (coupon.DeletedAt is not null || code is { Active: false })
        {
            return RefusalReasons.Inactive;
        }

        if (coupon.RedeemBy <= now || code?.ExpiresAt <= now)
        {
            return RefusalReasons.Expired;
        }

        if (coupon.TimesRedeemed >= coupon.MaxRedemptions || code?.TimesRedeemed >= code?.MaxRedemptions)
        {
            return RefusalReasons.UsedUp;
        }

        var wrongCurrency = coupon.InCurrency(currency) is null;
        if (!coupon.AppliesTo(planCode) || wrongCurrency || (code?.CustomerId is { } only && only != customerId))
        {
            return RefusalReasons.NotApplicable;
        }

        return code is { FirstTimeOnly: true } && !firstTime ? RefusalReasons.FirstTimeOnly : null;
    }
}
