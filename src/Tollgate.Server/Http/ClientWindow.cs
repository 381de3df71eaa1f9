using Microsoft.Extensions.Caching.Memory;

namespace Tollgate.Server.Http;

/// <summary>
/// Counts events per client address (an IPv6 client by its /64) in a fixed window of <paramref name="window"/>, starting
/// at the client's first event. Entries live in a bounded cache on the injected clock, so a flood from many addresses
/// evicts old entries instead of growing without end, and the test clock ages them as it ages the window.
/// </summary>
public sealed class ClientWindow(TimeProvider time, int max, TimeSpan window) : IDisposable
{
    private readonly MemoryCache _counts = BoundedCache.Create(100_000, time);

    /// <summary>How long <paramref name="http"/>'s client must wait because it already reached the limit, else null.</summary>
    public TimeSpan? Blocked(HttpContext http)
    {
        if (!_counts.TryGetValue(ClientAddress.Of(http), out Count? count) || count is null)
        {
            return null;
        }

        lock (count)
        {
            var left = count.Since + window - time.GetUtcNow();
            return count.Value >= max && left > TimeSpan.Zero ? left : null;
        }
    }

    /// <summary>Counts one event; answers how long the client must wait when this event is past the limit, else null.</summary>
    public TimeSpan? Take(HttpContext http)
    {
        var key = ClientAddress.Of(http);
        var count = _counts.GetOrCreate(key, entry =>
        {
            entry.Size = 1;
            entry.AbsoluteExpirationRelativeToNow = window;
            return new Count(time.GetUtcNow());
        })!;
        lock (count)
        {
            // The entry expires with its window, so the next event after it starts a new count.
            var now = time.GetUtcNow();
            count.Value++;
            return count.Value > max ? count.Since + window - now : null;
        }
    }

    public void Clear(HttpContext http) => _counts.Remove(ClientAddress.Of(http));

    public void Dispose() => _counts.Dispose();

    private sealed class Count(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public int Value { get; set; }
    }
}
