using Tollgate.Server.Invoices;
using Tollgate.Server.Web.Invoices;

namespace Tollgate.Server.Web.Portal;

/// <summary>The portal's invoices: the list on the billing page, each one as a printable page of its own, and its PDF.</summary>
public static partial class PortalPages
{
    private static async Task<IResult> InvoiceAsync(string id, HttpContext http, PortalData data, InvoiceHtml html, CancellationToken cancellationToken)
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
        PrintableInvoice.Secure(http);
        return Results.Content(await html.RenderAsync(invoice, customer, $"/portal/invoices/{Uri.EscapeDataString(invoice.Id)}/pdf", cancellationToken),
            "text/html; charset=utf-8");
    }

    /// <summary>The invoice's PDF, for the session's own customer only: another customer's invoice is the same 404 as none.</summary>
    private static async Task<IResult> InvoicePdfAsync(string id, HttpContext http, PortalData data, InvoicePdf pdf, CancellationToken cancellationToken)
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

        http.Response.Headers.CacheControl = "no-store";
        var customer = await data.Customers.GetAsync(session.Customer, cancellationToken);
        return Results.File(await pdf.InvoiceAsync(invoice, customer, cancellationToken), InvoicePdf.ContentType,
            InvoicePdf.FileName("invoice", invoice.Number ?? invoice.Id));
    }
}
