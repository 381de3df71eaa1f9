namespace Tollgate.Contracts;

/// <summary>Request to create a coupon: exactly one of <paramref name="PercentOff"/> and <paramref name="AmountOffCents"/>.</summary>
/// <param name="Id">The coupon's id, such as SUMMER20.</param>
/// <param name="Name">What invoices and pages call it.</param>
/// <param name="PercentOff">The percentage taken off, above 0 and at most 100, with at most two decimals.</param>
/// <param name="AmountOffCents">The amount taken off each discounted invoice's plan fee, in minor units of <paramref name="Currency"/>.</param>
/// <param name="Currency">ISO 4217 code, with <paramref name="AmountOffCents"/> only.</param>
/// <param name="Duration">"once" (the first invoice), "repeating" (for <paramref name="DurationInMonths"/> months) or "forever".</param>
/// <param name="DurationInMonths">With "repeating": how many months it lasts from when it is applied.</param>
/// <param name="AppliesToPlans">The plan codes it applies to; all plans when left out.</param>
/// <param name="MaxRedemptions">How many times it may be redeemed in all.</param>
/// <param name="RedeemBy">The last instant it may be redeemed.</param>
/// <param name="StripeCouponId">The Stripe coupon Checkout passes for it.</param>
/// <param name="CurrencyOptions">With <paramref name="AmountOffCents"/>: the amount off in other currencies, keyed by ISO 4217 code, as Stripe's currency_options; an invoice in a currency without one gets no discount.</param>
public sealed record CreateCouponRequest(
    string? Id, string? Name, decimal? PercentOff = null, long? AmountOffCents = null, string? Currency = null, string? Duration = null,
    int? DurationInMonths = null, IReadOnlyList<string>? AppliesToPlans = null, long? MaxRedemptions = null, DateTimeOffset? RedeemBy = null,
    string? StripeCouponId = null, IReadOnlyDictionary<string, CouponCurrencyOption>? CurrencyOptions = null);

/// <summary>A fixed-amount coupon's amount in one more currency.</summary>
/// <param name="AmountOffCents">The amount taken off, in minor units of the option's currency.</param>
public sealed record CouponCurrencyOption(long AmountOffCents);

/// <summary>A coupon.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Its name.</param>
/// <param name="PercentOff">The percentage taken off, if it is a percentage.</param>
/// <param name="AmountOffCents">The amount taken off, if it is an amount.</param>
/// <param name="Currency">The amount's currency.</param>
/// <param name="Duration">once, repeating or forever.</param>
/// <param name="DurationInMonths">How many months a repeating coupon lasts.</param>
/// <param name="AppliesToPlans">The plans it applies to; empty for all.</param>
/// <param name="MaxRedemptions">How many times it may be redeemed.</param>
/// <param name="RedeemBy">The last instant it may be redeemed.</param>
/// <param name="TimesRedeemed">How many times it was redeemed.</param>
/// <param name="StripeCouponId">The Stripe coupon it stands for.</param>
/// <param name="Valid">Whether it can still be redeemed.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="CurrencyOptions">A fixed amount's amounts in other currencies, keyed by ISO 4217 code; null when none.</param>
public sealed record CouponResponse(
    string Id, string Name, decimal? PercentOff, long? AmountOffCents, string? Currency, string Duration, int? DurationInMonths,
    IReadOnlyList<string> AppliesToPlans, long? MaxRedemptions, DateTimeOffset? RedeemBy, long TimesRedeemed, string? StripeCouponId, bool Valid,
    DateTimeOffset CreatedAt, IReadOnlyDictionary<string, CouponCurrencyOption>? CurrencyOptions = null);

/// <summary>A page of coupons, oldest id first.</summary>
/// <param name="Data">The coupons.</param>
/// <param name="HasMore">Whether another page follows.</param>
/// <param name="NextCursor">Pass as cursor for the next page.</param>
public sealed record CouponListResponse(IReadOnlyList<CouponResponse> Data, bool HasMore, string? NextCursor);

/// <summary>Request to create a promotion code.</summary>
/// <param name="Code">The customer-facing code: 3-64 letters, digits, - or _; unique whatever its case.</param>
/// <param name="Coupon">The coupon it redeems.</param>
/// <param name="MaxRedemptions">How many times it may be redeemed.</param>
/// <param name="ExpiresAt">When it stops working.</param>
/// <param name="FirstTimeOnly">Only for customers who were never invoiced.</param>
/// <param name="Customer">Only for this customer.</param>
/// <param name="Active">False to create it switched off.</param>
public sealed record CreatePromotionCodeRequest(
    string? Code, string? Coupon, long? MaxRedemptions = null, DateTimeOffset? ExpiresAt = null, bool FirstTimeOnly = false, string? Customer = null,
    bool Active = true);

/// <summary>A promotion code.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Code">The code as it was created.</param>
/// <param name="Coupon">The coupon it redeems.</param>
/// <param name="MaxRedemptions">How many times it may be redeemed.</param>
/// <param name="ExpiresAt">When it stops working.</param>
/// <param name="FirstTimeOnly">Only for customers who were never invoiced.</param>
/// <param name="Customer">Only for this customer.</param>
/// <param name="Active">Whether it can be redeemed.</param>
/// <param name="TimesRedeemed">How many times it was redeemed.</param>
/// <param name="CreatedAt">When it was made.</param>
public sealed record PromotionCodeResponse(
    string Id, string Code, CouponResponse Coupon, long? MaxRedemptions, DateTimeOffset? ExpiresAt, bool FirstTimeOnly, string? Customer, bool Active,
    long TimesRedeemed, DateTimeOffset CreatedAt);

/// <summary>A page of promotion codes, oldest id first.</summary>
/// <param name="Data">The codes.</param>
/// <param name="HasMore">Whether another page follows.</param>
/// <param name="NextCursor">Pass as cursor for the next page.</param>
public sealed record PromotionCodeListResponse(IReadOnlyList<PromotionCodeResponse> Data, bool HasMore, string? NextCursor);

/// <summary>Request to apply a discount to a subscription: one of the two.</summary>
/// <param name="PromotionCode">A customer-facing code, in any case.</param>
/// <param name="Coupon">A coupon's id.</param>
public sealed record ApplyDiscountRequest(string? PromotionCode = null, string? Coupon = null);

/// <summary>A coupon applied to a subscription.</summary>
/// <param name="Id">The discount's id.</param>
/// <param name="Subscription">The subscription.</param>
/// <param name="Customer">The customer.</param>
/// <param name="Coupon">The coupon's terms.</param>
/// <param name="PromotionCode">The promotion code's id, when a code was redeemed.</param>
/// <param name="Start">When it started.</param>
/// <param name="End">When it ends by itself (a repeating coupon); null when it does not.</param>
public sealed record DiscountResponse(
    string Id, string Subscription, string Customer, CouponResponse Coupon, string? PromotionCode, DateTimeOffset Start, DateTimeOffset? End);

/// <summary>The answer to a delete.</summary>
/// <param name="Id">What was deleted.</param>
/// <param name="Deleted">Always true.</param>
public sealed record DeletedResponse(string Id, bool Deleted);
