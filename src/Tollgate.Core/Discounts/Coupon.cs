namespace Tollgate.Core.Discounts;

public enum CouponDuration
{
    /// <summary>The first invoice issued after it is applied.</summary>
    Once,

    /// <summary>Every invoice for <see cref="Coupon.DurationInMonths"/> months from when it is applied.</summary>
    Repeating,

    /// <summary>Every invoice until it is removed.</summary>
    Forever,
}

/// <summary>
/// What a discount takes off and for how long, in Stripe's terms. A percentage is held in hundredths of a percent
/// (20 % is 2000), so it stays an integer; an amount off is in minor units of its currency.
/// </summary>
public sealed record Coupon(
    string Id,
    string Name,
    long? PercentOffBasisPoints,
    long? AmountOffCents,
    string? Currency,
    CouponDuration Duration,
    int? DurationInMonths,
    IReadOnlyList<string> AppliesToPlans,
    long? MaxRedemptions,
    DateTimeOffset? RedeemBy,
    long TimesRedeemed,
    string? StripeCouponId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeletedAt = null)
{
    public const long WholePercent = 10_000;

    /// <summary>A fixed amount's other currencies (Stripe's currency_options): the amount off in each, in its minor units.</summary>
    public IReadOnlyDictionary<string, long> AmountOffOptions { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// The coupon as it applies to an invoice in <paramref name="currency"/>: a percentage always; a fixed amount in its own
    /// currency or one of its options (that amount), and otherwise not at all (null), as Stripe applies it.
    /// </summary>
    public Coupon? InCurrency(string currency) =>
        PercentOffBasisPoints is not null || Currency is null || string.Equals(Currency, currency, StringComparison.OrdinalIgnoreCase) ? this
        : AmountOffOptions.TryGetValue(currency, out var amount) ? this with { AmountOffCents = amount, Currency = currency }
        : null;

    public bool AppliesTo(string? planCode) =>
        AppliesToPlans.Count == 0 || (planCode is not null && AppliesToPlans.Contains(planCode, StringComparer.Ordinal));

    /// <summary>When a discount of this coupon that starts at <paramref name="start"/> stops by itself (null: it does not).</summary>
    public DateTimeOffset? EndFor(DateTimeOffset start) =>
        Duration == CouponDuration.Repeating && DurationInMonths is { } months ? start.AddMonths(months) : null;
}

public static class CouponDurationNames
{
    public static string ToWire(this CouponDuration duration) => duration.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out CouponDuration duration)
    {
        duration = text switch
        {
            "once" => CouponDuration.Once,
            "repeating" => CouponDuration.Repeating,
            "forever" => CouponDuration.Forever,
            _ => (CouponDuration)(-1),
        };
        return Enum.IsDefined(duration);
    }
}
