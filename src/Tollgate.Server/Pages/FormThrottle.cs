using Microsoft.Extensions.Caching.Memory;
using Tollgate.Server.Hosting;

namespace Tollgate.Server.Pages;

/// <summary>
/// Limits posts of the anonymous forms (/pricing/start, /offer) per client address: each post may call Stripe twice and
/// hold a promotion code, so a script cannot turn the pages into a Stripe or coupon flood. Past <see cref="MaxPosts"/>
/// within <see cref="Window"/> the client is refused until the window ends.
/// </summary>
public sealed class FormThrottle(TimeProvider time) : IDisposable
{
    public const int MaxPosts = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    // Bounded: a flood from many addresses evicts old entries instead of growing without end.
    private readonly MemoryCache _posts = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>Counts this post; answers how long the client must wait when it is over the limit, else null.</summary>
    public TimeSpan? Take(HttpContext http)
    {
        var posts = _posts.GetOrCreate(ClientAddress.Of(http), entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = Window;
            return new Posts(time.GetUtcNow());
        })!;
        lock (posts)
        {
            var now = time.GetUtcNow();
            if (now - posts.Since >= Window)
            {
                (posts.Since, posts.Count) = (now, 0);
            }

            posts.Count++;
            return posts.Count > MaxPosts ? posts.Since + Window - now : null;
        }
    }

    public void Dispose() => _posts.Dispose();

    private sealed class Posts(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; set; } = since;

        public int Count { get; set; }
    }
}
