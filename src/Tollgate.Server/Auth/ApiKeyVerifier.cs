using System.Collections.Concurrent;
using System.Security.Cryptography;
using Tollgate.Storage.Keys;

namespace Tollgate.Server.Auth;

/// <summary>
/// Verifies bearer keys: the bootstrap admin key from TOLLGATE_ADMIN_KEY, then stored keys. A verified key is
/// remembered for <see cref="CacheFor"/> so the hot path does not query the key table on every request; a
/// revocation therefore takes up to that long to reach every node.
/// </summary>
public sealed class ApiKeyVerifier(ApiKeyStore store, IConfiguration configuration, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private const int MaxCached = 10_000;
    private readonly ConcurrentDictionary<string, (ApiKeyRole Role, string Id, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly byte[]? _bootstrapHash = configuration["TOLLGATE_ADMIN_KEY"] is { Length: > 0 } key ? ApiKeyFormat.Hash(key) : null;

    public async ValueTask<(ApiKeyRole Role, string Id)?> VerifyAsync(string presented, CancellationToken cancellationToken = default)
    {
        var hash = ApiKeyFormat.Hash(presented);
        if (_bootstrapHash is not null && CryptographicOperations.FixedTimeEquals(hash, _bootstrapHash))
        {
            return (ApiKeyRole.Admin, "bootstrap");
        }

        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(cacheKey, out var cached) && cached.Until > now)
        {
            return (cached.Role, cached.Id);
        }

        var record = await store.VerifyAsync(presented, cancellationToken);
        if (record is null)
        {
            _cache.TryRemove(cacheKey, out _);
            return null;
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[cacheKey] = (record.Role, record.Id, now + CacheFor);
        return (record.Role, record.Id);
    }

    /// <summary>Forgets a revoked key on this node at once.</summary>
    public void Forget() => _cache.Clear();
}
