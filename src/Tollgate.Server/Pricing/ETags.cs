using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Tollgate.Server.Pricing;

/// <summary>
/// Pricing responses are a pure function of the catalog's public part and this build, so the ETag is derived from those
/// two (<see cref="PublicTag"/>): a change to a private plan changes no public ETag.
/// </summary>
public static class ETags
{
    private static readonly string Build = typeof(ETags).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..8];

    /// <summary>Sets ETag and Cache-Control; true when the client's copy is current and a 304 should be sent.</summary>
    public static bool NotModified(HttpContext http, string publicTag)
    {
        var etag = string.Create(CultureInfo.InvariantCulture, $"\"{publicTag}-{Build}\"");
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "public, max-age=60";
        var ifNoneMatch = http.Request.GetTypedHeaders().IfNoneMatch;
        return ifNoneMatch.Any(tag => tag.Tag == etag || tag == EntityTagHeaderValue.Any);
    }
}
