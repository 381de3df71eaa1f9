using Tollgate.Server.Http;

namespace Tollgate.Server.Web;

/// <summary>
/// Limits posts of the anonymous forms (/pricing/start, /offer) per client address: each post may call Stripe twice and
/// hold a promotion code, so a script cannot turn the pages into a Stripe or coupon flood. Past <see cref="MaxPosts"/>
/// within <see cref="Window"/> the client is refused until the window ends.
/// </summary>
public sealed class FormThrottle(TimeProvider time) : IDisposable
{
    public const int MaxPosts = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly ClientWindow _posts = new(time, MaxPosts, Window);

    /// <summary>Counts this post; answers how long the client must wait when it is over the limit, else null.</summary>
    public TimeSpan? Take(HttpContext http) => _posts.Take(http);

    public void Dispose() => _posts.Dispose();
}
