namespace Tollgate.Server.Web.Invoices;

/// <summary>The headers of a printable invoice served as a page (the portal's and the console's).</summary>
public static class PrintableInvoice
{
    /// <summary>The invoice carries its own inline stylesheet and icon and nothing else, so its policy allows that and no more.</summary>
    public static void Secure(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'";
    }
}
