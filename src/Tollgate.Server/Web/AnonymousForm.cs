namespace Tollgate.Server.Web;

/// <summary>
/// Anti-forgery for the forms anyone may post (the offer page, the pricing sign-up): a signed anonymous session
/// cookie, and in the form the same HMAC of it that portal and console forms carry of their session, so another site
/// cannot post the form from the visitor's browser.
/// </summary>
public static class AnonymousForm
{
    private const string Kind = "form-session";
    private const string Cookie = "tg_form";

    /// <summary>The value for the form's csrf field, starting the visitor's form session when there is none.</summary>
    public static async Task<string> CsrfAsync(HttpContext http, PageSigning signing, PagesOptions options, TimeProvider time,
        CancellationToken cancellationToken = default)
    {
        var session = http.Request.Cookies[Cookie];
        if ((await signing.VerifyAsync(session, Kind, cancellationToken)).Token is null)
        {
            session = await signing.SignAsync(Kind, "visitor", time.GetUtcNow() + options.SessionLifetime, cancellationToken: cancellationToken);
            http.Response.Cookies.Append(Cookie, session, new CookieOptions
            {
                HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Lax, Path = "/", MaxAge = options.SessionLifetime,
            });
        }

        return await signing.CsrfAsync(session!, cancellationToken);
    }

    /// <summary>Whether a posted form came from this visitor's own page: a live form session and its csrf value.</summary>
    public static async Task<bool> IsOwnAsync(HttpContext http, IFormCollection form, PageSigning signing, CancellationToken cancellationToken = default)
    {
        var session = http.Request.Cookies[Cookie];
        return (await signing.VerifyAsync(session, Kind, cancellationToken)).Token is not null
            && await signing.CsrfMatchesAsync(session!, form["csrf"], cancellationToken);
    }

    /// <summary>The page a refused post gets: it names the fix and writes nothing.</summary>
    public static IResult Refused(HttpContext http, string again) =>
        PageResults.Message(http, 403, "This form has expired", $"{again} The form works for a limited time and only from this site's own page.");
}
