using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Tollgate.Core;
using Tollgate.Server.Http;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Keys;

// The key table, and in front of it the cache every authenticated request asks (the table only when the cache is cold).

public sealed class ApiKeyStore(TollgateDatabase database, TimeProvider time)
{
    private const long FirstKeyLockKey = 0x7011_6A7E_0003;

    public async Task<NewApiKey> CreateAsync(string name, ApiKeyRole role, CancellationToken cancellationToken = default)
    {
        var plain = ApiKeyFormat.Generate(role);
        var record = new ApiKeyRecord(Ids.New("key", time), name, role, ApiKeyFormat.LookupOf(plain)!, time.GetUtcNow(), null);
        await database.WriteAsync((c, tx) => InsertAsync(c, tx, record, plain, cancellationToken), cancellationToken);
        return new NewApiKey(record, plain);
    }

    /// <summary>
    /// An admin key named <paramref name="name"/> when the store has no key at all, else null: how a first start without
    /// a configured key still lets its operator in. Nodes starting together create one between them.
    /// </summary>
    public Task<NewApiKey?> CreateFirstAdminKeyAsync(string name, CancellationToken cancellationToken = default) =>
        database.WriteAsync<NewApiKey?>(async (c, tx) =>
        {
            await database.LockAsync(c, tx, FirstKeyLockKey, cancellationToken);
            if (await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM api_keys", transaction: tx,
                cancellationToken: cancellationToken)) > 0)
            {
                return null;
            }

            var plain = ApiKeyFormat.Generate(ApiKeyRole.Admin);
            var record = new ApiKeyRecord(Ids.New("key", time), name, ApiKeyRole.Admin, ApiKeyFormat.LookupOf(plain)!, time.GetUtcNow(), null);
            await InsertAsync(c, tx, record, plain, cancellationToken);
            return new NewApiKey(record, plain);
        }, cancellationToken);

    private static Task<int> InsertAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, ApiKeyRecord record, string plain,
        CancellationToken cancellationToken) =>
        c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO api_keys (id, name, role, lookup, key_hash, created_at, revoked_at)
            VALUES (@Id, @Name, @role, @Lookup, @hash, @createdAt, NULL)
            """, new
        {
            record.Id, record.Name, role = ApiKeyFormat.RoleName(record.Role), record.Lookup,
            hash = Convert.ToHexStringLower(ApiKeyFormat.Hash(plain)), createdAt = record.CreatedAt.ToUnixTimeMilliseconds(),
        }, tx, cancellationToken: cancellationToken));

    /// <summary>The live key matching the presented text, compared in constant time; null when none matches.</summary>
    public async Task<ApiKeyRecord?> VerifyAsync(string presented, CancellationToken cancellationToken = default)
    {
        var lookup = ApiKeyFormat.LookupOf(presented);
        if (lookup is null)
        {
            return null;
        }

        var candidates = await database.ReadAsync(c => c.QueryAsync<KeyRow>(new CommandDefinition(
            "SELECT id, name, role, lookup, key_hash, created_at, revoked_at FROM api_keys WHERE lookup = @lookup AND revoked_at IS NULL",
            new { lookup }, cancellationToken: cancellationToken)), cancellationToken);
        return ApiKeyFormat.Match(presented, candidates, row => row.KeyHash)?.ToRecord();
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var rows = await database.ReadAsync(c => c.QueryAsync<KeyRow>(new CommandDefinition(
            "SELECT id, name, role, lookup, key_hash, created_at, revoked_at FROM api_keys ORDER BY created_at",
            cancellationToken: cancellationToken)), cancellationToken);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL",
            new { id, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken)) == 1, cancellationToken);

    private sealed class KeyRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string Role { get; set; } = "";
        public string Lookup { get; set; } = "";
        public string KeyHash { get; set; } = "";
        public long CreatedAt { get; set; }
        public long? RevokedAt { get; set; }

        public ApiKeyRecord ToRecord() => new(Id, Name, Enum.Parse<ApiKeyRole>(Role, ignoreCase: true), Lookup,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), RevokedAt is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null);
    }
}

/// <summary>
/// Verifies bearer keys: the bootstrap admin key from TOLLGATE_ADMIN_KEY, then stored keys. A verified key is
/// remembered for <see cref="CacheFor"/> so the hot path does not query the key table on every request; a
/// revocation therefore takes up to that long to reach every node.
/// </summary>
public sealed class ApiKeyVerifier(ApiKeyStore store, IConfiguration configuration, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private const int MaxCached = 10_000;
    private readonly MemoryCache _cache = BoundedCache.Create(MaxCached, time);
    private readonly byte[]? _bootstrapHash = configuration["TOLLGATE_ADMIN_KEY"] is { Length: > 0 } key ? ApiKeyFormat.Hash(key) : null;

    public async ValueTask<(ApiKeyRole Role, string Id)?> VerifyAsync(string presented, CancellationToken cancellationToken = default)
    {
        var hash = ApiKeyFormat.Hash(presented);
        if (_bootstrapHash is not null && CryptographicOperations.FixedTimeEquals(hash, _bootstrapHash))
        {
            return (ApiKeyRole.Admin, "bootstrap");
        }

        // Keyed by the key's hash, never its text: a heap dump must not show live keys.
        var cacheKey = Convert.ToHexString(hash);
        if (_cache.TryGetValue(cacheKey, out (ApiKeyRole Role, string Id) cached))
        {
            return cached;
        }

        var record = await store.VerifyAsync(presented, cancellationToken);
        if (record is null)
        {
            return null;
        }

        return _cache.Put(cacheKey, (record.Role, record.Id), CacheFor);
    }

    /// <summary>Forgets every verified key on this node at once, so a revoked key stops working here without waiting.</summary>
    public void Forget() => _cache.Clear();

    public void Dispose() => _cache.Dispose();
}
