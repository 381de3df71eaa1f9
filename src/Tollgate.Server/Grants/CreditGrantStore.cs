using Dapper;
using Tollgate.Core;
using Tollgate.Core.Grants;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Grants;

/// <summary>A new grant, already validated; <see cref="SourceRef"/> names the purchase that paid for it, so it is created once.</summary>
public sealed record NewCreditGrant(
    string CustomerId, string Feature, long Amount, DateTimeOffset? ExpiresAt, int Priority, string? Reason, string? PackCode = null, string? SourceRef = null);

/// <summary>Credit grants: created, listed and voided here; spent on the hot path by the Entitlements capability (its <c>GrantDraw</c>).</summary>
public sealed class CreditGrantStore(TollgateDatabase database, TimeProvider time)
{
    /// <summary>Creates the grant; a second call with the same source answers the grant the first one made.</summary>
    public Task<(CreditGrant Grant, bool Created)> CreateAsync(NewCreditGrant grant, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (grant.SourceRef is { } source && await BySourceAsync(c, tx, source, cancellationToken) is { } existing)
            {
                return (existing, false);
            }

            return await InsertAsync(c, tx, grant, null, time, cancellationToken) is { } made
                ? (made, true)
                : ((await BySourceAsync(c, tx, grant.SourceRef!, cancellationToken))!, false);
        }, cancellationToken);

    /// <summary>The grant made for <paramref name="source"/>, if any.</summary>
    public Task<CreditGrant?> FindBySourceAsync(string source, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => BySourceAsync(c, null, source, cancellationToken), cancellationToken);

    /// <summary>
    /// Inserts the grant in the caller's transaction; <paramref name="invoiceId"/> is the invoice that sold it, if any. Null
    /// when another transaction made the grant of the same source first (it waits for that one to commit, then skips).
    /// </summary>
    internal static async Task<CreditGrant?> InsertAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, NewCreditGrant grant,
        string? invoiceId, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = Ids.New("cgr", time);
        var now = time.GetUtcNow();
        var inserted = await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO credit_grants (id, customer_id, feature_code, amount, used, expires_at, priority, reason, pack_code, source_ref, created_at,
                invoice_id)
            VALUES (@id, @CustomerId, @Feature, @Amount, 0, @expiresAt, @Priority, @Reason, @PackCode, @SourceRef, @now, @invoiceId)
            ON CONFLICT (source_ref) WHERE source_ref IS NOT NULL DO NOTHING
            """, new
        {
            id, grant.CustomerId, grant.Feature, grant.Amount, expiresAt = grant.ExpiresAt?.ToUnixTimeMilliseconds(), grant.Priority,
            grant.Reason, grant.PackCode, grant.SourceRef, now = now.ToUnixTimeMilliseconds(), invoiceId,
        }, tx, cancellationToken: cancellationToken));
        return inserted == 0 ? null : new CreditGrant(id, grant.CustomerId, grant.Feature, grant.Amount, 0, grant.ExpiresAt, grant.Priority, grant.Reason,
            grant.PackCode, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()), null);
    }

    internal static async Task<CreditGrant?> BySourceAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, string source,
        CancellationToken cancellationToken) =>
        (await c.QuerySingleOrDefaultAsync<CreditGrantRows.Row>(new CommandDefinition(
            $"SELECT {CreditGrantRows.Columns} FROM credit_grants WHERE source_ref = @source", new { source }, tx,
            cancellationToken: cancellationToken)))?.ToGrant();

    public async Task<CreditGrant?> GetAsync(string customerId, string id, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<CreditGrantRows.Row>(new CommandDefinition(
            $"SELECT {CreditGrantRows.Columns} FROM credit_grants WHERE id = @id AND customer_id = @customerId", new { id, customerId },
            cancellationToken: cancellationToken)), cancellationToken))?.ToGrant();

    /// <summary>The customer's grants, newest first, by (created_at, id) keyset, so pages never shift.</summary>
    public Task<Page<CreditGrant>> ListAsync(string customerId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters(new { customerId });
        Keyset.Bind(parameters, page);
        return database.ReadAsync(async c => Keyset.Cut([.. (await c.QueryAsync<CreditGrantRows.Row>(new CommandDefinition($"""
            SELECT {CreditGrantRows.Columns} FROM credit_grants
            WHERE customer_id = @customerId AND {Keyset.After(page, "created_at", "id", descending: true)}
            {Keyset.OrderBy("created_at", "id", descending: true)} LIMIT @page_limit
            """, parameters, cancellationToken: cancellationToken))).Select(r => r.ToGrant())], page,
            g => new Cursor(g.CreatedAt.ToUnixTimeMilliseconds(), g.Id)), cancellationToken);
    }

    /// <summary>Voids the grant: what it has left stops counting at once; what was used stays used. Null when there is no such grant.</summary>
    public Task<CreditGrant?> VoidAsync(string customerId, string id, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE credit_grants SET voided_at = @now WHERE id = @id AND customer_id = @customerId AND voided_at IS NULL",
                new { id, customerId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
            return (await c.QuerySingleOrDefaultAsync<CreditGrantRows.Row>(new CommandDefinition(
                $"SELECT {CreditGrantRows.Columns} FROM credit_grants WHERE id = @id AND customer_id = @customerId", new { id, customerId }, tx,
                cancellationToken: cancellationToken)))?.ToGrant();
        }, cancellationToken);

    /// <summary>What the customer's live grants have left now, per feature (absent: none).</summary>
    public Task<IReadOnlyDictionary<string, long>> RemainingAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => CreditGrantRows.RemainingAsync(c, null, customerId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken),
            cancellationToken);
}
