using Dapper;
using Tollgate.Core.Discounts;

namespace Tollgate.Server.Discounts;

internal sealed class CouponRow
{
    public const string Columns = "id, name, percent_off_bp, amount_off_cents, currency, duration, duration_in_months, applies_to_plans, " +
        "max_redemptions, redeem_by, times_redeemed, stripe_coupon_id, created_at, deleted_at, currency_options_json";

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public long? PercentOffBp { get; set; }
    public long? AmountOffCents { get; set; }
    public string? Currency { get; set; }
    public string Duration { get; set; } = "";
    public long? DurationInMonths { get; set; }
    public string AppliesToPlans { get; set; } = "";
    public long? MaxRedemptions { get; set; }
    public long? RedeemBy { get; set; }
    public long TimesRedeemed { get; set; }
    public string? StripeCouponId { get; set; }
    public long CreatedAt { get; set; }
    public long? DeletedAt { get; set; }
    public string? CurrencyOptionsJson { get; set; }

    public Coupon ToDomain()
    {
        CouponDurationNames.TryParse(Duration, out var duration);
        return new Coupon(Id, Name, PercentOffBp, AmountOffCents, Currency, duration, (int?)DurationInMonths,
            AppliesToPlans.Split(',', StringSplitOptions.RemoveEmptyEntries), MaxRedemptions, At(RedeemBy), TimesRedeemed, StripeCouponId,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), At(DeletedAt))
        {
            AmountOffOptions = CurrencyOptionsJson is null ? new Dictionary<string, long>()
                : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, long>>(CurrencyOptionsJson) ?? [],
        };
    }

    public static object Parameters(Coupon c) => new
    {
        c.Id, c.Name, bp = c.PercentOffBasisPoints, amount = c.AmountOffCents, currency = c.Currency, duration = c.Duration.ToWire(),
        months = (long?)c.DurationInMonths, plans = string.Join(',', c.AppliesToPlans), max = c.MaxRedemptions,
        redeemBy = c.RedeemBy?.ToUnixTimeMilliseconds(), stripe = c.StripeCouponId, created = c.CreatedAt.ToUnixTimeMilliseconds(),
        options = c.AmountOffOptions.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(c.AmountOffOptions),
    };

    internal static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}

internal sealed class PromotionCodeRow
{
    public const string Columns = "id, code, coupon_id, max_redemptions, expires_at, first_time_only, customer_id, active, times_redeemed, created_at";

    public string Id { get; set; } = "";
    public string Code { get; set; } = "";
    public string CouponId { get; set; } = "";
    public long? MaxRedemptions { get; set; }
    public long? ExpiresAt { get; set; }
    public bool FirstTimeOnly { get; set; }
    public string? CustomerId { get; set; }
    public bool Active { get; set; }
    public long TimesRedeemed { get; set; }
    public long CreatedAt { get; set; }

    public PromotionCode ToDomain() => new(Id, Code, CouponId, MaxRedemptions, CouponRow.At(ExpiresAt), FirstTimeOnly, CustomerId, Active,
        TimesRedeemed, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
}

internal sealed class DiscountRow
{
    public const string Columns = "id, subscription_id, customer_id, coupon_id, promotion_code_id, start_at, end_at, ended_at";

    public string Id { get; set; } = "";
    public string SubscriptionId { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string CouponId { get; set; } = "";
    public string? PromotionCodeId { get; set; }
    public long StartAt { get; set; }
    public long? EndAt { get; set; }
    public long? EndedAt { get; set; }

    public Discount ToDomain(Coupon coupon) => new(Id, SubscriptionId, CustomerId, coupon, PromotionCodeId,
        DateTimeOffset.FromUnixTimeMilliseconds(StartAt), CouponRow.At(EndAt), CouponRow.At(EndedAt));
}

/// <summary>Every discount with its coupon's terms, for metrics over the whole history.</summary>
internal static class DiscountHistory
{
    public static async Task<IReadOnlyList<Discount>> StartedBeforeAsync(System.Data.Common.DbConnection c, DateTimeOffset to, CancellationToken ct)
    {
        var coupons = (await c.QueryAsync<CouponRow>(new CommandDefinition($"SELECT {CouponRow.Columns} FROM coupons", cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.ToDomain(), StringComparer.Ordinal);
        var rows = await c.QueryAsync<DiscountRow>(new CommandDefinition(
            $"SELECT {DiscountRow.Columns} FROM discounts WHERE start_at < @to ORDER BY start_at, id", new { to = to.ToUnixTimeMilliseconds() },
            cancellationToken: ct));
        return [.. rows.Select(r => r.ToDomain(coupons[r.CouponId]))];
    }
}
