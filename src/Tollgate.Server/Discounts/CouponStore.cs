using Dapper;
using Tollgate.Core;
using Tollgate.Core.Discounts;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Discounts;

/// <summary>Coupons and promotion codes, as the admin API manages them.</summary>
public sealed class CouponStore(TollgateDatabase database, TimeProvider time)
{
    /// <summary>Stores a new coupon; false when the id is taken (by a live or a deleted coupon).</summary>
    public async Task<bool> CreateAsync(Coupon coupon, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO coupons (id, name, percent_off_bp, amount_off_cents, currency, duration, duration_in_months, applies_to_plans,
                    max_redemptions, redeem_by, times_redeemed, stripe_coupon_id, created_at, deleted_at, currency_options_json)
                VALUES (@Id, @Name, @bp, @amount, @currency, @duration, @months, @plans, @max, @redeemBy, 0, @stripe, @created, NULL, @options)
                """, CouponRow.Parameters(coupon), tx, cancellationToken: cancellationToken)), cancellationToken);
            return true;
        }
        catch (System.Data.Common.DbException e) when (database.IsUniqueViolation(e))
        {
            return false;
        }
    }

    /// <summary>A coupon that has not been deleted (or, with includeDeleted, one that was).</summary>
    public Task<Coupon?> GetAsync(string id, CancellationToken cancellationToken = default) => GetAsync(id, false, cancellationToken);

    public async Task<Coupon?> GetAsync(string id, bool includeDeleted, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<CouponRow>(new CommandDefinition(
            $"SELECT {CouponRow.Columns} FROM coupons WHERE id = @id AND (deleted_at IS NULL OR @includeDeleted)",
            new { id, includeDeleted }, cancellationToken: cancellationToken)), cancellationToken))?.ToDomain();

    /// <summary>Live coupons in id order; the cursor's key is always 0, so the keyset is the id alone.</summary>
    public async Task<Page<Coupon>> ListAsync(PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters();
        Keyset.Bind(parameters, page);
        var rows = await database.ReadAsync(c => c.QueryAsync<CouponRow>(new CommandDefinition(
            $"SELECT {CouponRow.Columns} FROM coupons WHERE deleted_at IS NULL AND {Keyset.After(page, IdOrderKey, "id", descending: false)} " +
            $"ORDER BY id LIMIT @page_limit", parameters, cancellationToken: cancellationToken)), cancellationToken);
        return Keyset.Cut([.. rows.Select(r => r.ToDomain())], page, c => new Cursor(0, c.Id));
    }

    /// <summary>Deletes a coupon: it can no longer be redeemed, and the discounts already made from it stay.</summary>
    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            "UPDATE coupons SET deleted_at = @now WHERE id = @id AND deleted_at IS NULL",
            new { id, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken)) == 1, cancellationToken);

    /// <summary>Stores a new promotion code; false when the code is taken (case-insensitively).</summary>
    public async Task<bool> CreateCodeAsync(PromotionCode code, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO promotion_codes (id, code, code_key, coupon_id, max_redemptions, expires_at, first_time_only, customer_id, active,
                    times_redeemed, created_at)
                VALUES (@Id, @Code, @key, @CouponId, @MaxRedemptions, @expires, @FirstTimeOnly, @CustomerId, @Active, 0, @created)
                """, new
            {
                code.Id, code.Code, key = PromotionCode.KeyOf(code.Code), code.CouponId, code.MaxRedemptions,
                expires = code.ExpiresAt?.ToUnixTimeMilliseconds(), code.FirstTimeOnly, code.CustomerId, code.Active,
                created = code.CreatedAt.ToUnixTimeMilliseconds(),
            }, tx, cancellationToken: cancellationToken)), cancellationToken);
            return true;
        }
        catch (System.Data.Common.DbException e) when (database.IsUniqueViolation(e))
        {
            return false;
        }
    }

    /// <summary>A promotion code by its id, or by the code itself in any case.</summary>
    public async Task<PromotionCode?> GetCodeAsync(string idOrCode, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<PromotionCodeRow>(new CommandDefinition(
            $"SELECT {PromotionCodeRow.Columns} FROM promotion_codes WHERE id = @idOrCode OR code_key = @key",
            new { idOrCode, key = PromotionCode.KeyOf(idOrCode) }, cancellationToken: cancellationToken)), cancellationToken))?.ToDomain();

    public async Task<Page<PromotionCode>> ListCodesAsync(PageRequest page, string? coupon, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters(new { coupon });
        Keyset.Bind(parameters, page);
        var rows = await database.ReadAsync(c => c.QueryAsync<PromotionCodeRow>(new CommandDefinition(
            $"SELECT {PromotionCodeRow.Columns} FROM promotion_codes WHERE {Keyset.After(page, IdOrderKey, "id", descending: false)} " +
            "AND (@coupon IS NULL OR coupon_id = @coupon) ORDER BY id LIMIT @page_limit", parameters, cancellationToken: cancellationToken)),
            cancellationToken);
        return Keyset.Cut([.. rows.Select(r => r.ToDomain())], page, p => new Cursor(0, p.Id));
    }

    /// <summary>
    /// Stops a code, named by its id or by the code itself as reads take it, from being redeemed; discounts made with it
    /// stay. Null when there is no such code.
    /// </summary>
    public async Task<PromotionCode?> DeactivateCodeAsync(string idOrCode, CancellationToken cancellationToken = default)
    {
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE promotion_codes SET active = @no WHERE id = @idOrCode OR code_key = @key",
            new { idOrCode, key = PromotionCode.KeyOf(idOrCode), no = false }, tx, cancellationToken: cancellationToken)), cancellationToken);
        return await GetCodeAsync(idOrCode, cancellationToken);
    }

    public string NewCodeId() => Ids.New("promo", time);

    // Coupons and codes list by id (the operator's own names sort as they read); a constant key leaves the id to decide.
    private const string IdOrderKey = "0";
}
