using System.Text.RegularExpressions;
using Tollgate.Contracts;
using Tollgate.Server.Catalog;
using Tollgate.Core.Discounts;
using Tollgate.Server.Http;

namespace Tollgate.Server.Discounts;

/// <summary>Checks coupon and promotion-code requests field by field, and maps the domain to the wire.</summary>
public static partial class CouponRequests
{
    [GeneratedRegex("^[A-Za-z0-9_-]{3,64}$")]
    private static partial Regex CodePattern();

    // Stripe users send "usd"; the coupon keeps the catalog's canonical capitals, so it compares with plan prices as is.
    [GeneratedRegex("^[A-Za-z]{3}$")]
    private static partial Regex CurrencyPattern();

    public static (Coupon? Coupon, Dictionary<string, string> Errors) Parse(CreateCouponRequest r, CatalogSnapshot catalog, DateTimeOffset now)
    {
        var durationOk = CouponDurationNames.TryParse(r.Duration, out var duration);
        var plans = r.AppliesToPlans ?? [];
        // JSON null binds as a null element; stored it would read as no restriction at all, so it is refused by its place.
        var nullAt = plans.Select((plan, i) => plan is null ? i : -1).FirstOrDefault(i => i >= 0, -1);
        var errors = Validate.Errors(
            ("id", Validate.Id(r.Id)),
            ("name", r.Name is { Length: >= 1 and <= 200 } ? null : "must be 1-200 characters"),
            ("percent_off", r.PercentOff is null == r.AmountOffCents is null ? "give percent_off or amount_off_cents, not both or neither"
                : r.PercentOff is { } p && (p <= 0 || p > 100 || decimal.Round(p, 2) != p) ? "must be above 0 and at most 100, with at most two decimals"
                : null),
            ("amount_off_cents", r.AmountOffCents is <= 0 or > 100_000_000_00 ? "must be from 1 to 10,000,000,000" : null),
            ("currency", r.AmountOffCents is null
                ? r.Currency is null ? null : "only goes with amount_off_cents"
                : r.Currency is not null && CurrencyPattern().IsMatch(r.Currency) && Core.Money.Currency.IsIso(r.Currency.ToUpperInvariant()) ? null
                : "must be a three-letter ISO 4217 code, such as USD or usd"),
            ("duration", durationOk ? null : "must be once, repeating or forever"),
            ("duration_in_months", duration == CouponDuration.Repeating && durationOk
                ? r.DurationInMonths is >= 1 and <= 120 ? null : "must be from 1 to 120 for a repeating coupon"
                : r.DurationInMonths is null ? null : "only goes with duration repeating"),
            ("applies_to_plans", plans.FirstOrDefault(p => p is not null && catalog.Plan(p) is null) is { } unknown ? $"no plan '{unknown}'" : null),
            ($"applies_to_plans[{nullAt}]", nullAt >= 0 ? "must be a plan code, not null" : null),
            ("max_redemptions", r.MaxRedemptions is <= 0 ? "must be at least 1" : null),
            ("redeem_by", r.RedeemBy <= now ? "must be in the future" : null),
            ("stripe_coupon_id", r.StripeCouponId is null ? null : Validate.Id(r.StripeCouponId)));
        CheckOptions(r, errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var bp = r.PercentOff is { } percent ? (long)(percent * 100) : (long?)null;
        return (new Coupon(r.Id!, r.Name!, bp, r.AmountOffCents, r.Currency?.ToUpperInvariant(), duration, r.DurationInMonths, [.. plans.Distinct(StringComparer.Ordinal)],
            r.MaxRedemptions, r.RedeemBy, 0, r.StripeCouponId, now)
        {
            AmountOffOptions = r.CurrencyOptions?.ToDictionary(o => o.Key.ToUpperInvariant(), o => o.Value.AmountOffCents, StringComparer.Ordinal) ?? [],
        }, errors);
    }

    /// <summary>
    /// currency_options: only with a fixed amount, each keyed by an ISO 4217 code other than the coupon's own, in either case
    /// (kept in capitals, so "eur" and "EUR" are one key, given once).
    /// </summary>
    private static void CheckOptions(CreateCouponRequest r, Dictionary<string, string> errors)
    {
        if (r.CurrencyOptions is not { } options)
        {
            return;
        }

        if (r.AmountOffCents is null)
        {
            errors["currency_options"] = "only goes with amount_off_cents";
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (code, option) in options)
        {
            if (Core.Money.Currency.Canonical(code) is not { } canonical || !Core.Money.Currency.IsIso(canonical)
                || string.Equals(code, r.Currency, StringComparison.OrdinalIgnoreCase))
            {
                errors[$"currency_options.{code}"] = "must be keyed by a three-letter ISO 4217 code other than the coupon's currency";
            }
            else if (!seen.Add(canonical))
            {
                errors[$"currency_options.{code}"] = $"gives {canonical} a second time";
            }
            else if (option is null || option.AmountOffCents is <= 0 or > 100_000_000_00)
            {
                errors[$"currency_options.{code}.amount_off_cents"] = "must be from 1 to 10,000,000,000";
            }
        }
    }

    public static Dictionary<string, string> Check(CreatePromotionCodeRequest r, Coupon? coupon, bool customerExists, DateTimeOffset now) =>
        Validate.Errors(
            ("code", r.Code is not null && CodePattern().IsMatch(r.Code) ? null : "must be 3-64 letters, digits, - or _"),
            ("coupon", r.Coupon is null ? "is required" : coupon is null ? $"no coupon '{r.Coupon}'" : null),
            ("max_redemptions", r.MaxRedemptions is <= 0 ? "must be at least 1" : null),
            ("expires_at", r.ExpiresAt <= now ? "must be in the future" : null),
            ("customer", r.Customer is null || customerExists ? null : $"no customer '{r.Customer}'"));

    public static CouponResponse ToWire(Coupon c, DateTimeOffset now) => new(
        c.Id, c.Name, c.PercentOffBasisPoints is { } bp ? bp / 100m : null, c.AmountOffCents, c.Currency, c.Duration.ToWire(), c.DurationInMonths,
        c.AppliesToPlans, c.MaxRedemptions, c.RedeemBy, c.TimesRedeemed, c.StripeCouponId,
        c.DeletedAt is null && !(c.RedeemBy <= now) && !(c.TimesRedeemed >= c.MaxRedemptions), c.CreatedAt,
        c.AmountOffOptions.Count == 0 ? null : c.AmountOffOptions.ToDictionary(o => o.Key, o => new CouponCurrencyOption(o.Value)));

    public static PromotionCodeResponse ToWire(PromotionCode p, Coupon coupon, DateTimeOffset now) => new(
        p.Id, p.Code, ToWire(coupon, now), p.MaxRedemptions, p.ExpiresAt, p.FirstTimeOnly, p.CustomerId, p.Active, p.TimesRedeemed, p.CreatedAt);

    public static DiscountResponse ToWire(Discount d, DateTimeOffset now) => new(
        d.Id, d.SubscriptionId, d.CustomerId, ToWire(d.Coupon, now), d.PromotionCodeId, d.StartAt, d.EndAt);
}
