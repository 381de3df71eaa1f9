using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Tollgate.Server.Pricing;

/// <summary>
/// Pricing responses are a pure function of the catalog revision and this build, so the ETag is derived from those
/// two and costs nothing to compute.
/// </summary>
public static class ETags
{
    private static readonly string Build = typeof(ETags).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..8];

    /// <summary>Sets ETag and Cache-Control; true when the client's copy is current and a 304 should be sent.</summary>
    public static bool NotModified(HttpContext http, long revision)
    {
        var etag = string.Create(CultureInfo.InvariantCulture, $"\"{revision}-{Build}\"");
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "public, max-age=60";
        var ifNoneMatch = http.Request.GetTypedHeaders().IfNoneMatch;
        return ifNoneMatch.Any(tag => tag.Tag == etag || tag == EntityTagHeaderValue.Any);
    }
}
