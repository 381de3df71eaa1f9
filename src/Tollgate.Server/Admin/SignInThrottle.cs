using Microsoft.Extensions.Caching.Memory;

namespace Tollgate.Server.Admin;

/// <summary>
/// Limits failed console sign-ins per client address (an IPv6 client by its /64): after <see cref="MaxFailures"/> wrong
/// keys within <see cref="Window"/>, that address is refused until the window ends, without the key even being checked.
/// Only failures count and a success clears them, so the real admin, at another address or not mistyping ten times,
/// is never locked out by someone else guessing; a weak TOLLGATE_ADMIN_KEY cannot be guessed at request speed.
/// </summary>
public sealed class SignInThrottle(TimeProvider time) : IDisposable
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    // Bounded: a flood from many addresses evicts old entries instead of growing without end.
    private readonly MemoryCache _failures = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>How long this client must wait before it may try again, or null when it may try now.</summary>
    public TimeSpan? RetryAfter(HttpContext http)
    {
        if (!_failures.TryGetValue(Client(http), out Failures? failures) || failures is null)
        {
            return null;
        }

        lock (failures)
        {
            var left = failures.Since + Window - time.GetUtcNow();
            return failures.Count >= MaxFailures && left > TimeSpan.Zero ? left : null;
        }
    }

    public void Failed(HttpContext http)
    {
        var failures = _failures.GetOrCreate(Client(http), entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = Window;
            return new Failures(time.GetUtcNow());
        })!;
        lock (failures)
        {
            var now = time.GetUtcNow();
            if (now - failures.Since >= Window)
            {
                (failures.Since, failures.Count) = (now, 0);
            }

            failures.Count++;
        }
    }

    public void Succeeded(HttpContext http) => _failures.Remove(Client(http));

    public void Dispose() => _failures.Dispose();

    private static string Client(HttpContext http) => Hosting.ClientAddress.Of(http);

    private sealed class Failures(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; set; } = since;

        public int Count { get; set; }
    }
}
