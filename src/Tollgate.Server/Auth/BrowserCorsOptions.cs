namespace Tollgate.Server.Auth;

/// <summary>Tollgate:Cors: the web origins whose pages may call the API from a browser (with a customer session token).</summary>
public sealed class BrowserCorsOptions
{
    public const string Section = "Tollgate:Cors";

    /// <summary>Exact origins such as https://app.example.com; none by default, so no page on another origin can call the API.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>An origin is a scheme, a host and maybe a port: no path, query, wildcard or trailing slash.</summary>
    public static bool IsOrigin(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
        && string.Equals(url.GetLeftPart(UriPartial.Authority), text, StringComparison.OrdinalIgnoreCase);
}
