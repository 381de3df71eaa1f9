using Dapper;
using Tollgate.Core;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Keys;

/// <summary>A customer session: a short-lived token that lets a browser read one customer's own billing data.</summary>
public sealed record CustomerSessionRecord(
    string Id, string CustomerId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>A freshly minted session: the token's text exists only here and is shown once.</summary>
public sealed record NewCustomerSession(CustomerSessionRecord Record, string Token);

/// <summary>Customer session tokens, tg_cs_{lookup}{secret}: only their SHA-256 is stored, as for API keys.</summary>
public sealed class CustomerSessionStore(TollgateDatabase database, TimeProvider time)
{
    public const string Prefix = "tg_cs_";

    public static bool LooksLikeToken(string presented) => presented.StartsWith(Prefix, StringComparison.Ordinal);

    public async Task<NewCustomerSession> CreateAsync(string customerId, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var token = Prefix + Ids.Secret(40);
        var record = new CustomerSessionRecord(Ids.New("cs", time), customerId, now, now + lifetime, null);
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO customer_sessions (id, customer_id, lookup, token_hash, created_at, expires_at, revoked_at)
            VALUES (@Id, @CustomerId, @lookup, @hash, @createdAt, @expiresAt, NULL)
            """, new
        {
            record.Id, record.CustomerId, lookup = ApiKeyFormat.LookupOf(token, Prefix), hash = Convert.ToHexStringLower(ApiKeyFormat.Hash(token)),
            createdAt = now.ToUnixTimeMilliseconds(), expiresAt = record.ExpiresAt.ToUnixTimeMilliseconds(),
        }, tx, cancellationToken: cancellationToken)), cancellationToken);
        return new NewCustomerSession(record, token);
    }

    /// <summary>
    /// The live (unexpired, unrevoked) session the token belongs to, compared in constant time; null otherwise. A deleted
    /// customer's sessions are dead here whatever the order of the erasure, its revoke and a concurrent mint.
    /// </summary>
    public async Task<CustomerSessionRecord?> VerifyAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (ApiKeyFormat.LookupOf(presented, Prefix) is not { } lookup)
        {
            return null;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var candidates = await database.ReadAsync(c => c.QueryAsync<SessionRow>(new CommandDefinition("""
            SELECT s.id, s.customer_id, s.token_hash, s.created_at, s.expires_at, s.revoked_at FROM customer_sessions s
            JOIN customers c ON c.id = s.customer_id AND c.deleted_at IS NULL
            WHERE s.lookup = @lookup AND s.revoked_at IS NULL AND s.expires_at > @now
            """, new { lookup, now }, cancellationToken: cancellationToken)), cancellationToken);
        return ApiKeyFormat.Match(presented, candidates, row => row.TokenHash)?.ToRecord();
    }

    /// <summary>Whether the customer's session is still live (unexpired, unrevoked, its customer not deleted): what it started ends with it.</summary>
    public async Task<bool> IsLiveAsync(string customerId, string id, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT COUNT(*) FROM customer_sessions s
            JOIN customers c ON c.id = s.customer_id AND c.deleted_at IS NULL
            WHERE s.id = @id AND s.customer_id = @customerId AND s.revoked_at IS NULL AND s.expires_at > @now
            """, new { id, customerId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)),
            cancellationToken) > 0;

    /// <summary>Revokes one of the customer's sessions; false when it is not theirs or already revoked.</summary>
    public Task<bool> RevokeAsync(string customerId, string id, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            "UPDATE customer_sessions SET revoked_at = @now WHERE id = @id AND customer_id = @customerId AND revoked_at IS NULL",
            new { id, customerId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken)) == 1,
            cancellationToken);

    /// <summary>Revokes every live session of the customer (a sign-out everywhere); the number revoked.</summary>
    public Task<int> RevokeAllAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "UPDATE customer_sessions SET revoked_at = @now WHERE customer_id = @customerId AND revoked_at IS NULL",
            new { customerId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken)), cancellationToken);

    private sealed class SessionRow
    {
        public string Id { get; set; } = "";
        public string CustomerId { get; set; } = "";
        public string TokenHash { get; set; } = "";
        public long CreatedAt { get; set; }
        public long ExpiresAt { get; set; }
        public long? RevokedAt { get; set; }

        public CustomerSessionRecord ToRecord() => new(Id, CustomerId, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAt), RevokedAt is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null);
    }
}
