using Tollgate.Server.Web.Invoices;

namespace Tollgate.Server.Web.Portal;

/// <summary>The portal's invoices: the list on the billing page, and each one as a printable page of its own.</summary>
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
        return Results.Content(await html.RenderAsync(invoice, customer, cancellationToken), "text/html; charset=utf-8");
    }
}
