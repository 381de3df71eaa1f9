using Dapper;
using Tollgate.Core;
using Tollgate.Core.Grants;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Grants;

/// <summary>A new grant, already validated; <see cref="SourceRef"/> names the purchase that paid for it, so it is created once.</summary>
public sealed record NewCreditGrant(
    string CustomerId, string Feature, long Amount, DateTimeOffset? ExpiresAt, int Priority, string? Reason, string? PackCode = null, string? SourceRef = null);

/// <summary>One page of a customer's grants, newest first.</summary>
public sealed record CreditGrantPage(IReadOnlyList<CreditGrant> Data, bool HasMore, string? NextCursor);

/// <summary>Credit grants: created, listed and voided here; spent on the hot path by <see cref="Usage.GrantDraw"/>.</summary>
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

            var id = Ids.New("cgr", time);
            var now = time.GetUtcNow();
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO credit_grants (id, customer_id, feature_code, amount, used, expires_at, priority, reason, pack_code, source_ref, created_at)
                VALUES (@id, @CustomerId, @Feature, @Amount, 0, @expiresAt, @Priority, @Reason, @PackCode, @SourceRef, @now)
                """, new
            {
                id, grant.CustomerId, grant.Feature, grant.Amount, expiresAt = grant.ExpiresAt?.ToUnixTimeMilliseconds(), grant.Priority,
                grant.Reason, grant.PackCode, grant.SourceRef, now = now.ToUnixTimeMilliseconds(),
            }, tx, cancellationToken: cancellationToken));
            return (new CreditGrant(id, grant.CustomerId, grant.Feature, grant.Amount, 0, grant.ExpiresAt, grant.Priority, grant.Reason,
                grant.PackCode, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()), null), true);
        }, cancellationToken);

    private static async Task<CreditGrant?> BySourceAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string source,
        CancellationToken cancellationToken) =>
        (await c.QuerySingleOrDefaultAsync<CreditGrantRows.Row>(new CommandDefinition(
            $"SELECT {CreditGrantRows.Columns} FROM credit_grants WHERE source_ref = @source", new { source }, tx,
            cancellationToken: cancellationToken)))?.ToGrant();

    public async Task<CreditGrant?> GetAsync(string customerId, string id, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<CreditGrantRows.Row>(new CommandDefinition(
            $"SELECT {CreditGrantRows.Columns} FROM credit_grants WHERE id = @id AND customer_id = @customerId", new { id, customerId },
            cancellationToken: cancellationToken)), cancellationToken))?.ToGrant();

    /// <summary>The customer's grants, newest first; the cursor is the last grant's id, so pages never shift.</summary>
    public Task<CreditGrantPage> ListAsync(string customerId, string? after, int limit, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c =>
        {
            var rows = (await c.QueryAsync<CreditGrantRows.Row>(new CommandDefinition($"""
                SELECT {CreditGrantRows.Columns} FROM credit_grants
                WHERE customer_id = @customerId AND (@after IS NULL
                  OR created_at < (SELECT created_at FROM credit_grants WHERE id = @after)
                  OR (created_at = (SELECT created_at FROM credit_grants WHERE id = @after) AND id < @after))
                ORDER BY created_at DESC, id DESC LIMIT @take
                """, new { customerId, after, take = limit + 1 }, cancellationToken: cancellationToken))).Select(r => r.ToGrant()).ToList();
            var hasMore = rows.Count > limit;
            var page = rows.Take(limit).ToList();
            return new CreditGrantPage(page, hasMore, hasMore ? page[^1].Id : null);
        }, cancellationToken);

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
