using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Tollgate.Server.Http;

namespace Tollgate.Server.Keys;

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
