using Tollgate.Server.Http;

namespace Tollgate.Server.Web.Admin;

/// <summary>
/// Limits failed console sign-ins per client address: after <see cref="MaxFailures"/> wrong keys within
/// <see cref="Window"/>, that address is refused until the window ends, without the key even being checked.
/// Only failures count and a success clears them, so the real admin, at another address or not mistyping ten times,
/// is never locked out by someone else guessing; a weak TOLLGATE_ADMIN_KEY cannot be guessed at request speed.
/// </summary>
public sealed class SignInThrottle(TimeProvider time) : IDisposable
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ClientWindow _failures = new(time, MaxFailures, Window);

    /// <summary>How long this client must wait before it may try again, or null when it may try now.</summary>
    public TimeSpan? RetryAfter(HttpContext http) => _failures.Blocked(http);

    public void Failed(HttpContext http) => _failures.Take(http);

    public void Succeeded(HttpContext http) => _failures.Clear(http);

    public void Dispose() => _failures.Dispose();
}
