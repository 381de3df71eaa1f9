using System.Security.Claims;

namespace Tollgate.Server.Auth;

/// <summary>
/// Limits on what a customer session may mint: links it starts must not outlive it, and may only send the browser back to
/// the app's own origins (a session token sits in a browser, so a stolen one must not become a long-lived or off-site link).
/// </summary>
public static class SessionLinks
{
    public const string ExpiresAtClaim = "tollgate:session_expires_at";

    /// <summary>When the caller's customer session expires; null when the caller is not a session.</summary>
    public static DateTimeOffset? SessionExpiresAt(this ClaimsPrincipal user) =>
        user.IsInRole(CustomerSessionScope.Role) && long.TryParse(user.FindFirstValue(ExpiresAtClaim), out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    /// <summary>A link's expiry, brought forward to the session's own when a session asks for it.</summary>
    public static DateTimeOffset CapToSession(this ClaimsPrincipal user, DateTimeOffset expiresAt) =>
        user.SessionExpiresAt() is { } sessionEnds && sessionEnds < expiresAt ? sessionEnds : expiresAt;

    /// <summary>
    /// The field errors for URLs a session names outside Tollgate:Cors:AllowedOrigins; empty for secret keys or allowed URLs.
    /// Null or malformed URLs are left to the endpoint's own validation.
    /// </summary>
    public static Dictionary<string, string> ForeignReturnUrls(
        this ClaimsPrincipal user, BrowserCorsOptions cors, params (string Field, string? Url)[] urls)
    {
        var errors = new Dictionary<string, string>();
        if (!user.IsInRole(CustomerSessionScope.Role))
        {
            return errors;
        }

        foreach (var (field, url) in urls)
        {
            if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var parsed)
                && !cors.AllowedOrigins.Contains(parsed.GetLeftPart(UriPartial.Authority), StringComparer.OrdinalIgnoreCase))
            {
                errors[field] = "must be on an origin listed in Tollgate:Cors:AllowedOrigins when a customer session token asks";
            }
        }

        return errors;
    }
}
