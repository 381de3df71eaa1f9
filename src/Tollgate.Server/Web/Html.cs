using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;

namespace Tollgate.Server.Web;

/// <summary>
/// The string-built pages not yet moved to Razor components (removed once every area is converted): every value goes through <see cref="E"/>, every page gets a per-response nonce and a strict
/// Content-Security-Policy (scripts and styles only from this server or with the nonce), so an injected string can
/// neither run nor restyle anything.
/// </summary>
public static class Html
{
    /// <summary>HTML-encodes text for element content and quoted attribute values.</summary>
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>A page: shared stylesheet, the given body, optional extra head content (with <c>{nonce}</c> replaced).</summary>
    public static IResult Page(HttpContext http, string title, string body, Framing framing = Framing.Deny, string head = "", int status = 200,
        string bodyClass = "")
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
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

        var document = $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{E(title)}</title>
            <link rel="stylesheet" href="/assets/tollgate.css">
            {head.Replace("{nonce}", nonce, StringComparison.Ordinal)}
            </head>
            <body class="{E(bodyClass)}">
            {body}
            </body>
            </html>
            """;
        return Results.Content(document, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>A short page that says what went wrong and what to do, with its status code.</summary>
    public static IResult Message(HttpContext http, int status, string title, string message) =>
        Page(http, title, $"""<main class="narrow"><h1>{E(title)}</h1><p>{E(message)}</p></main>""", status: status);

    /// <summary>A hidden form field carrying the anti-forgery token.</summary>
    public static string CsrfField(string token) => $"""<input type="hidden" name="csrf" value="{E(token)}">""";

    /// <summary>The cancel reason fields, for the console until it is a Razor page (the portal renders CancelReasonFields).</summary>
    public static string CancelFields(string id, string question)
    {
        var options = new StringBuilder("<option value=\"\" selected disabled>Choose a reason…</option>");
        foreach (var (code, label) in Subscriptions.CancelForm.Reasons)
        {
            options.Append(System.Globalization.CultureInfo.InvariantCulture, $"<option value=\"{E(code)}\">{E(label)}</option>");
        }

        return $"""
            <label for="{id}-reason">{E(question)}</label>
            <select id="{id}-reason" name="reason" required>{options}</select>
            <label for="{id}-comment">Anything else we should know? (optional)</label>
            <textarea id="{id}-comment" name="comment" rows="3" maxlength="{Core.Customers.CancellationReasons.MaxCommentLength}"></textarea>
            """;
    }
}
