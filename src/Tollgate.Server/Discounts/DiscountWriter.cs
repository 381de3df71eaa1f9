using System.Data.Common;
using Dapper;
using Tollgate.Core;
using Tollgate.Core.Discounts;

namespace Tollgate.Server.Discounts;

/// <summary>
/// Discounts inside the caller's transaction: the one a subscription has, redeeming a code or coupon for it, and
/// ending it. Redemption counts are taken by a conditional UPDATE, so concurrent redemptions on any number of nodes
/// never pass max_redemptions.
/// </summary>
internal sealed partial class DiscountWriter(DbConnection c, DbTransaction tx, TimeProvider time, CancellationToken ct)
{
    /// <summary>The subscription's discount that has not been removed or used (it may have run out: see InForceAt).</summary>
    public async Task<Discount?> CurrentAsync(string subscriptionId)
    {
        var row = await c.QueryFirstOrDefaultAsync<DiscountRow>(new CommandDefinition(
            $"SELECT {DiscountRow.Columns} FROM discounts WHERE subscription_id = @subscriptionId AND ended_at IS NULL ORDER BY start_at DESC, id DESC",
            new { subscriptionId }, tx, cancellationToken: ct));
        return row is null ? null : row.ToDomain((await CouponAsync(row.CouponId))!);
    }

    /// <summary>
    /// The discount in force at <paramref name="at"/>, its coupon as it applies in <paramref name="currency"/> (the invoice's):
    /// a fixed amount without an option for that currency does not apply.
    /// </summary>
    public async Task<Discount?> InForceAsync(string subscriptionId, DateTimeOffset at, string? currency = null) =>
        await CurrentAsync(subscriptionId) is { } d && d.InForceAt(at)
            ? currency is null ? d : d.Coupon.InCurrency(currency) is { } coupon ? d with { Coupon = coupon } : null
            : null;

    public async Task<Coupon?> CouponAsync(string id) =>
        (await c.QuerySingleOrDefaultAsync<CouponRow>(new CommandDefinition(
            $"SELECT {CouponRow.Columns} FROM coupons WHERE id = @id", new { id }, tx, cancellationToken: ct)))?.ToDomain();

    public async Task<PromotionCode?> CodeAsync(string code) =>
        (await c.QuerySingleOrDefaultAsync<PromotionCodeRow>(new CommandDefinition(
            $"SELECT {PromotionCodeRow.Columns} FROM promotion_codes WHERE code_key = @key", new { key = PromotionCode.KeyOf(code) }, tx,
            cancellationToken: ct)))?.ToDomain();

    /// <summary>
    /// The discount <paramref name="request"/> would give a subscription on <paramref name="planCode"/> from now, checked
    /// but not written; throws <see cref="DiscountRefusedException"/> when it cannot apply.
    /// </summary>
    public async Task<(Discount Discount, PromotionCode? Code)> CheckAsync(
        DiscountRequest request, string subscriptionId, string customerId, string planCode, string currency)
    {
        var now = time.GetUtcNow();
        var code = request.PromotionCode is { } text ? await CodeAsync(text) : null;
        var coupon = request.PromotionCode is not null
            ? code is null ? null : await CouponAsync(code.CouponId)
            : await CouponAsync(request.CouponId!);
        var firstTime = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM invoices WHERE customer_id = @customerId", new { customerId }, tx, cancellationToken: ct)) == 0;
        if (Redemption.Refusal(coupon, code, planCode, currency, customerId, firstTime, now) is { } reason)
        {
            throw new DiscountRefusedException(reason, $"The {request.Describe()} cannot be applied: {reason.Replace('_', ' ')}.");
        }

        return (new Discount(Ids.New("di", time), subscriptionId, customerId, coupon!, code?.Id, now, coupon!.EndFor(now), null), code);
    }

    /// <summary>Redeems <paramref name="request"/> and makes it the subscription's discount, ending the one it had.</summary>
    public async Task<Discount> RedeemAsync(DiscountRequest request, string subscriptionId, string customerId, string planCode, string currency)
    {
        await ReleaseExpiredCheckoutHoldsAsync();
        var (discount, code) = await CheckAsync(request, subscriptionId, customerId, planCode, currency);
        if ((code is not null && !await TakeAsync("promotion_codes", code.Id)) || !await TakeAsync("coupons", discount.Coupon.Id))
        {
            throw new DiscountRefusedException(RefusalReasons.UsedUp, $"The {request.Describe()} has been redeemed as often as it may be.");
        }

        await EndAsync(subscriptionId, discount.StartAt);
        await InsertAsync(discount);
        return discount with { Coupon = discount.Coupon with { TimesRedeemed = discount.Coupon.TimesRedeemed + 1 } };
    }

    private Task InsertAsync(Discount discount) =>
        c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO discounts (id, subscription_id, customer_id, coupon_id, promotion_code_id, start_at, end_at, ended_at, created_at)
            VALUES (@Id, @SubscriptionId, @CustomerId, @coupon, @PromotionCodeId, @start, @end, NULL, @start)
            """, new
        {
            discount.Id, discount.SubscriptionId, discount.CustomerId, coupon = discount.Coupon.Id, discount.PromotionCodeId,
            start = discount.StartAt.ToUnixTimeMilliseconds(), end = discount.EndAt?.ToUnixTimeMilliseconds(),
        }, tx, cancellationToken: ct));

    public async Task<Coupon?> CouponByStripeIdAsync(string stripeCouponId) =>
        (await c.QueryFirstOrDefaultAsync<CouponRow>(new CommandDefinition(
            $"SELECT {CouponRow.Columns} FROM coupons WHERE stripe_coupon_id = @stripeCouponId ORDER BY deleted_at IS NULL DESC, created_at DESC",
            new { stripeCouponId }, tx, cancellationToken: ct)))?.ToDomain();

    /// <summary>Records a discount Stripe applied (counted as a redemption, as Stripe counted it), replacing the one the subscription had.</summary>
    public async Task<Discount> MirrorAsync(string subscriptionId, string customerId, Coupon coupon, DateTimeOffset start, DateTimeOffset? end)
    {
        if (await CurrentAsync(subscriptionId) is { } same && same.Coupon.Id == coupon.Id && same.StartAt == start)
        {
            return same; // customer.discount.updated after .created: the same discount
        }

        // A code held for this customer's checkout was counted when the session was made: the discount uses it.
        var heldCode = await UseCheckoutHoldAsync(customerId, coupon.Id);
        var discount = new Discount(Ids.New("di", time), subscriptionId, customerId, coupon, heldCode, start, end ?? coupon.EndFor(start), null);
        await EndAsync(subscriptionId, start);
        if (heldCode is null)
        {
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE coupons SET times_redeemed = times_redeemed + 1 WHERE id = @id", new { id = coupon.Id }, tx, cancellationToken: ct));
        }

        await InsertAsync(discount);
        return discount;
    }

    /// <summary>Ends the subscription's discount at <paramref name="at"/>; the number of discounts ended (0 or 1).</summary>
    public Task<int> EndAsync(string subscriptionId, DateTimeOffset at) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE discounts SET ended_at = @at WHERE subscription_id = @subscriptionId AND ended_at IS NULL",
            new { subscriptionId, at = at.ToUnixTimeMilliseconds() }, tx, cancellationToken: ct));

    /// <summary>A once coupon is used up by the first invoice issued while it is in force.</summary>
    public Task ConsumeOnceAsync(string subscriptionId, DateTimeOffset issuedAt) =>
        c.ExecuteAsync(new CommandDefinition("""
            UPDATE discounts SET ended_at = @at
            WHERE subscription_id = @subscriptionId AND ended_at IS NULL AND start_at <= @at
              AND coupon_id IN (SELECT id FROM coupons WHERE duration = 'once')
            """, new { subscriptionId, at = issuedAt.ToUnixTimeMilliseconds() }, tx, cancellationToken: ct));

    // One statement decides: the count moves only while it is under the limit, so no read-then-write race exists.
    private async Task<bool> TakeAsync(string table, string id) =>
        await c.ExecuteAsync(new CommandDefinition(
            $"UPDATE {table} SET times_redeemed = times_redeemed + 1 WHERE id = @id AND (max_redemptions IS NULL OR times_redeemed < max_redemptions)",
            new { id }, tx, cancellationToken: ct)) == 1;
}
