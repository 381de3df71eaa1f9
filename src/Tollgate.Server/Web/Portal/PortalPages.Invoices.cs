using Tollgate.Server.Web.Invoices;

namespace Tollgate.Server.Web.Portal;

/// <summary>The portal's invoices: the list on the billing page, and each one as a printable page of its own.</summary>
public static partial class PortalPages
{
    private static async Task<IResult> InvoiceAsync(string id, HttpContext http, PortalData data, ComponentHtml html, CancellationToken cancellationToken)
    {
        if (await SessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var invoice = await data.Invoices.GetAsync(id, cancellationToken);
        if (invoice is null || invoice.CustomerId != session.Customer)
        {
            return PageResults.Message(http, 404, "No such invoice", "This invoice is not in your account.");
        }

        var customer = await data.Customers.GetAsync(session.Customer, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.XFrameOptions = "DENY";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        // The printable invoice carries its own inline stylesheet and nothing else.
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'";
        return Results.Content(await InvoiceHtml.RenderAsync(html, invoice, customer, data.BillingOptions.Value.Seller), "text/html; charset=utf-8");
    }
}
