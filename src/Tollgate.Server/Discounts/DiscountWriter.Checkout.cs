using Dapper;
using Tollgate.Core;
using Tollgate.Core.Discounts;

namespace Tollgate.Server.Discounts;

/// <summary>
/// Promotion codes sent to Stripe Checkout. The session is paid for on Stripe's page, long after it is made, so the
/// redemption is taken when it is made (the same conditional UPDATE as any redemption) and held: Stripe's discount on
/// the new subscription uses it, an expired session gives it back.
/// </summary>
internal sealed partial class DiscountWriter
{
    /// <summary>Stripe's default Checkout session life: a hold expires then unless the session's own expires_at is recorded.</summary>
    public static readonly TimeSpan CheckoutSessionLife = TimeSpan.FromHours(24);

    /// <summary>
    /// Checks and counts <paramref name="code"/> for a session not made yet; throws <see cref="DiscountRefusedException"/>
    /// when it cannot apply. A coupon Stripe does not know is answered with no hold and nothing counted.
    /// </summary>
    public async Task<(Coupon Coupon, string? HoldId)> HoldForCheckoutAsync(string code, string customerId, string planCode, string currency)
    {
        var request = new DiscountRequest(code, null);
        await ReleaseExpiredCheckoutHoldsAsync();
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
            INSERT INTO checkout_redemptions (id, promotion_code_id, coupon_id, customer_id, status, created_at, settled_at, expires_at)
            VALUES (@id, @code, @coupon, @customerId, 'held', @now, NULL, @expires)
            """, new
        {
            id, code = promotion.Id, coupon = discount.Coupon.Id, customerId, now = time.GetUtcNow().ToUnixTimeMilliseconds(),
            expires = (time.GetUtcNow() + CheckoutSessionLife).ToUnixTimeMilliseconds(),
        }, tx, cancellationToken: ct));
        return (discount.Coupon, id);
    }

    /// <summary>Gives a held redemption back (its session expired, or was never made); false when it was used or given back already.</summary>
    public async Task<bool> ReleaseCheckoutHoldAsync(string holdId) =>
        await GiveBackAsync(await c.QueryAsync<HoldRow>(new CommandDefinition("""
            UPDATE checkout_redemptions SET status = 'released', settled_at = @now WHERE id = @holdId AND status = 'held'
            RETURNING promotion_code_id, coupon_id
            """, new { holdId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: ct))) > 0;

    /// <summary>The session's own expires_at, once Stripe has answered it.</summary>
    public Task SetCheckoutHoldExpiryAsync(string holdId, DateTimeOffset expiresAt) =>
        c.ExecuteAsync(new CommandDefinition("UPDATE checkout_redemptions SET expires_at = @at WHERE id = @holdId AND status = 'held'",
            new { holdId, at = expiresAt.ToUnixTimeMilliseconds() }, tx, cancellationToken: ct));

    /// <summary>
    /// Gives back every hold whose session has expired, so a session nobody reports (no webhook) stops counting; run
    /// before a redemption reads the counts. Each row changes state once, so concurrent callers never give one back twice.
    /// </summary>
    public async Task<int> ReleaseExpiredCheckoutHoldsAsync() =>
        await GiveBackAsync(await c.QueryAsync<HoldRow>(new CommandDefinition("""
            UPDATE checkout_redemptions SET status = 'released', settled_at = @now WHERE status = 'held' AND expires_at <= @now
            RETURNING promotion_code_id, coupon_id
            """, new { now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: ct)));

    private async Task<int> GiveBackAsync(IEnumerable<HoldRow> released)
    {
        var count = 0;
        foreach (var held in released.ToList())
        {
            foreach (var (table, id) in new[] { ("promotion_codes", held.PromotionCodeId), ("coupons", held.CouponId) })
            {
                await c.ExecuteAsync(new CommandDefinition(
                    $"UPDATE {table} SET times_redeemed = times_redeemed - 1 WHERE id = @id AND times_redeemed > 0", new { id }, tx, cancellationToken: ct));
            }

            count++;
        }

        return count;
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
