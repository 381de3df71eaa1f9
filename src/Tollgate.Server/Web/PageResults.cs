using System.Security.Cryptography;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tollgate.Server.Web;

/// <summary>Who may frame a page: the pricing page is made to be embedded; the portal and the console never are.</summary>
public enum Framing
{
    Deny,
    Anyone,
}

/// <summary>
/// Pages as answers: a Razor component rendered on the server, which HTML-encodes every value it writes, sent with a
/// per-response nonce and a strict Content-Security-Policy (scripts and styles only from this server or with the nonce),
/// so an injected string can neither run nor restyle anything.
/// </summary>
public static class PageResults
{
    private const string NonceKey = "tollgate.page-nonce";

    /// <summary>The page <typeparamref name="TPage"/> with <paramref name="parameters"/> (an object whose properties name its parameters).</summary>
    public static IResult Render<TPage>(HttpContext http, object? parameters = null, Framing framing = Framing.Deny, int status = 200)
        where TPage : IComponent
    {
        Secure(http, framing);
        return new RazorComponentResult<TPage>(parameters ?? new { }) { StatusCode = status, ContentType = "text/html; charset=utf-8" };
    }

    /// <summary>A short page that says what went wrong and what to do, with its status code.</summary>
    public static IResult Message(HttpContext http, int status, string title, string message) =>
        Render<MessagePage>(http, new { Title = title, Text = message, Back = status is 401 or 403 ? null : Back(http) }, status: status);

    /// <summary>
    /// Where a message page leads back to: the page the form was posted from when the browser said so (this server's own,
    /// never another site's), else the start of the pages the request was under.
    /// </summary>
    private static string Back(HttpContext http)
    {
        if (Uri.TryCreate(http.Request.Headers.Referer.ToString(), UriKind.Absolute, out var from)
            && string.Equals(from.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && from.Scheme is "http" or "https" && from.AbsolutePath != http.Request.Path.Value)
        {
            return from.PathAndQuery;
        }

        return http.Request.Path.StartsWithSegments("/portal", StringComparison.OrdinalIgnoreCase) ? "/portal"
            : http.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase) ? "/admin"
            : "/pricing";
    }

    /// <summary>The nonce this response's policy allows inline scripts and styles with (set by <see cref="Render"/>).</summary>
    public static string Nonce(HttpContext http) =>
        http.Items[NonceKey] as string ?? throw new InvalidOperationException("The page was not rendered through PageResults.Render.");

    private static void Secure(HttpContext http, Framing framing)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        http.Items[NonceKey] = nonce;
        var ancestors = framing == Framing.Anyone ? "*" : "'none'";
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'self'; img-src 'self' data:; style-src 'self' 'nonce-{nonce}'; script-src 'self' 'nonce-{nonce}'; " +
            $"form-action 'self' https://checkout.stripe.com https://billing.stripe.com; base-uri 'none'; object-src 'none'; frame-ancestors {ancestors}";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
        if (framing == Framing.Deny)
        {
            headers.XFrameOptions = "DENY";
        }
    }
}
