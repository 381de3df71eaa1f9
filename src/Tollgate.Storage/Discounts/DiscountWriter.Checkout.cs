using Dapper;
using Tollgate.Core;
using Tollgate.Core.Discounts;

namespace Tollgate.Storage.Discounts;

/// <summary>
/// Promotion codes sent to Stripe Checkout. The session is paid for on Stripe's page, long after it is made, so the
/// redemption is taken when it is made (the same conditional UPDATE as any redemption) and held: Stripe's discount on
/// the new subscription uses it, an expired session gives it back.
/// </summary>
internal sealed partial class DiscountWriter
{
    /// <summary>
    /// Checks and counts <paramref name="code"/> for a session not made yet; throws <see cref="DiscountRefusedException"/>
    /// when it cannot apply. A coupon Stripe does not know is answered with no hold and nothing counted.
    /// </summary>
    public async Task<(Coupon Coupon, string? HoldId)> HoldForCheckoutAsync(string code, string customerId, string planCode, string currency)
    {
        var request = new DiscountRequest(code, null);
        var (discount, promotion) = await CheckAsync(request, "", customerId, planCode, currency);
        if (discount.Coupon.StripeCouponId is null)
        {
            return (discount.Coupon, null);
        }

        if (!await TakeAsync("promotion_codes", promotion!.Id) || !await TakeAsync("coupons", discount.Coupon.Id))
        {
            throw new DiscountRefusedException(RefusalReasons.UsedUp, $"The {request.Describe()} has been redeemed as often as it may be.");
        }

        var id = Ids.New("chr", time);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO checkout_redemptions (id, promotion_code_id, coupon_id, customer_id, status, created_at, settled_at)
            VALUES (@id, @code, @coupon, @customerId, 'held', @now, NULL)
            """, new { id, code = promotion.Id, coupon = discount.Coupon.Id, customerId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx,
            cancellationToken: ct));
        return (discount.Coupon, id);
    }

    /// <summary>Gives a held redemption back (its session expired, or was never made); false when it was used or given back already.</summary>
    public async Task<bool> ReleaseCheckoutHoldAsync(string holdId)
    {
        var held = await c.QuerySingleOrDefaultAsync<HoldRow>(new CommandDefinition("""
            UPDATE checkout_redemptions SET status = 'released', settled_at = @now WHERE id = @holdId AND status = 'held'
            RETURNING promotion_code_id, coupon_id
            """, new { holdId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: ct));
        if (held is null)
        {
            return false;
        }

        foreach (var (table, id) in new[] { ("promotion_codes", held.PromotionCodeId), ("coupons", held.CouponId) })
        {
            await c.ExecuteAsync(new CommandDefinition(
                $"UPDATE {table} SET times_redeemed = times_redeemed - 1 WHERE id = @id AND times_redeemed > 0", new { id }, tx, cancellationToken: ct));
        }

        return true;
    }

    /// <summary>Marks the customer's oldest held checkout redemption of the coupon used; its promotion code, or null when none is held.</summary>
    private Task<string?> UseCheckoutHoldAsync(string customerId, string couponId) =>
        c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
            UPDATE checkout_redemptions SET status = 'used', settled_at = @now
            WHERE status = 'held' AND id = (
                SELECT id FROM checkout_redemptions WHERE customer_id = @customerId AND coupon_id = @couponId AND status = 'held'
                ORDER BY created_at, id LIMIT 1)
            RETURNING promotion_code_id
            """, new { customerId, couponId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: ct));

    private sealed class HoldRow
    {
        public string PromotionCodeId { get; set; } = "";
        public string CouponId { get; set; } = "";
    }
}
