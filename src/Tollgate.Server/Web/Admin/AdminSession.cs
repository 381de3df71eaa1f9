using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Tollgate.Server.Http;
using Tollgate.Server.Keys;

namespace Tollgate.Server.Web.Admin;

/// <summary>A signed-in operator: the admin key's id, the cookie's token and the form token that goes with it.</summary>
public sealed record AdminUser(string KeyId, string Token, string Csrf);

/// <summary>
/// The console's sign-in: an admin API key, checked once, becomes a signed session cookie (HttpOnly, SameSite=Strict,
/// Secure over HTTPS). Each request checks the cookie's signature and expiry and that its key is still an unrevoked
/// admin key, so revoking the key ends the session within half a minute.
/// </summary>
public sealed class AdminSession(PageSigning signing, ApiKeyVerifier verifier, ApiKeyStore keys, IConfiguration configuration, IOptions<PagesOptions> options,
    TimeProvider time) : IDisposable
{
    public const string Kind = "admin-session";
    private const string Cookie = "tg_admin";
    private static readonly TimeSpan KeyCheckFor = TimeSpan.FromSeconds(30);
    // Real time, not the server's clock: under a frozen test clock the key's check never lapsed, so a revoked admin
    // key's console session went on; the session's own expiry stays on the server's clock.
    private readonly MemoryCache _active = BoundedCache.Create(entries: 1_000, TimeProvider.System);

    public async Task<bool> SignInAsync(HttpContext http, string? key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(key) || await verifier.VerifyAsync(key.Trim(), cancellationToken) is not { Role: ApiKeyRole.Admin } verified)
        {
            return false;
        }

        var token = await signing.SignAsync(Kind, verified.Id, time.GetUtcNow() + options.Value.SessionLifetime,
            await BootstrapFingerprintAsync(cancellationToken), cancellationToken);
        http.Response.Cookies.Append(Cookie, token, new CookieOptions
        {
            HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Strict, Path = "/admin", MaxAge = options.Value.SessionLifetime,
        });
        return true;
    }

    public static void SignOut(HttpContext http) => http.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/admin" });

    public async Task<AdminUser?> CurrentAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var cookie = http.Request.Cookies[Cookie];
        var (token, _) = await signing.VerifyAsync(cookie, Kind, cancellationToken);
        if (token is null || !await IsActiveAsync(token.Subject, token.Extra, cancellationToken))
        {
            return null;
        }

        return new AdminUser(token.Subject, cookie!, await signing.CsrfAsync(cookie!, cancellationToken));
    }

    /// <summary>The operator of a form post, or null when the session or its anti-forgery token is missing or wrong.</summary>
    public async Task<(AdminUser User, IFormCollection Form)?> PostedAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var user = await CurrentAsync(http, cancellationToken);
        if (user is null || !http.Request.HasFormContentType)
        {
            return null;
        }

        var form = await http.Request.ReadFormAsync(cancellationToken);
        return await signing.CsrfMatchesAsync(user.Token, form["csrf"], cancellationToken) ? (user, form) : null;
    }

    /// <summary>
    /// Which TOLLGATE_ADMIN_KEY a session was opened with, so that changing the variable ends those sessions. Keyed
    /// (not a bare hash) because the cookie's payload is readable: a weak key must not be crackable from it.
    /// </summary>
    private async Task<string> BootstrapFingerprintAsync(CancellationToken cancellationToken) =>
        configuration["TOLLGATE_ADMIN_KEY"] is { Length: > 0 } key ? await signing.FingerprintAsync(key, cancellationToken) : "";

    private async Task<bool> IsActiveAsync(string keyId, string bootstrap, CancellationToken cancellationToken)
    {
        if (keyId == "bootstrap")
        {
            return bootstrap.Length > 0 && bootstrap == await BootstrapFingerprintAsync(cancellationToken);
        }

        // Only an active key is remembered, so a revoked one is seen at its first check after the entry expires.
        if (_active.TryGetValue(keyId, out _))
        {
            return true;
        }

        var active = (await keys.ListAsync(cancellationToken)).Any(k => k.Id == keyId && k.Role == ApiKeyRole.Admin && k.RevokedAt is null);
        if (active)
        {
            _active.Put(keyId, true, KeyCheckFor);
        }

        return active;
    }

    public void Dispose() => _active.Dispose();
}

/// <summary>How console pages answer: a page in the console's frame (ConsoleLayout), or the way to the sign-in page.</summary>
public static class AdminLayout
{
    /// <summary>The console page <typeparamref name="TPage"/>; its parameters carry the operator and the product name the frame shows.</summary>
    public static IResult Page<TPage>(HttpContext http, object parameters, int status = 200) where TPage : IComponent =>
        PageResults.Render<TPage>(http, parameters, status: status);

    public static IResult SignIn() => Results.Redirect("/admin/login");
}
