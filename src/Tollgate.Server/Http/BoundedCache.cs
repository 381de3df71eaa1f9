using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;

namespace Tollgate.Server.Http;

/// <summary>
/// A size-limited <see cref="MemoryCache"/> whose expiry follows the injected <see cref="TimeProvider"/>, so the test
/// clock moves cached entries' ages as it moves everything else. Every entry counts 1 towards the limit.
/// </summary>
public static class BoundedCache
{
    public static MemoryCache Create(int entries, TimeProvider time) =>
        new(new MemoryCacheOptions { SizeLimit = entries, Clock = new TimeProviderClock(time) });

    /// <summary>Stores <paramref name="value"/> for <paramref name="lifetime"/> (forever when null), counting 1 entry.</summary>
    public static T Put<T>(this IMemoryCache cache, object key, T value, TimeSpan? lifetime = null) =>
        cache.Set(key, value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime });

    private sealed class TimeProviderClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
