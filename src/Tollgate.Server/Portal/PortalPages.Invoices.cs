using System.Globalization;
using System.Text;
using Tollgate.Core.Billing;
using Tollgate.Core.Money;
using Tollgate.Server.Invoices;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Portal;

/// <summary>The portal's invoices: the list on the billing page, and each one as a printable page of its own.</summary>
public static partial class PortalPages
{
    private static string InvoicesSection(PortalView view)
    {
        var section = new StringBuilder("""<section aria-labelledby="invoices-title"><h2 id="invoices-title">Invoices</h2>""");
        if (view.Invoices.Count == 0)
        {
            return section.Append("<p class=\"muted\">No invoices yet.</p></section>").ToString();
        }

        section.Append("<div class=\"table-scroll\"><table><thead><tr><th scope=\"col\">Number</th><th scope=\"col\">Date</th><th scope=\"col\" class=\"num\">Amount</th><th scope=\"col\">Status</th><th scope=\"col\"><span class=\"skip\">View</span></th></tr></thead><tbody>");
        foreach (var invoice in view.Invoices)
        {
            section.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{E(invoice.Number)}</td><td>{Date(invoice.IssuedAt ?? invoice.CreatedAt)}</td>
                <td class="num">{E(MinorUnits.Display(invoice.AmountDueCents, invoice.Currency))}</td>
                <td>{E(invoice.Status.ToWire())}</td><td><a href="/portal/invoices/{E(invoice.Id)}">View</a></td></tr>
                """);
        }

        return section.Append("</tbody></table></div></section>").ToString();
    }

    private static async Task<IResult> InvoiceAsync(string id, HttpContext http, PortalData data, CancellationToken cancellationToken)
    {
        if (await SessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var invoice = await data.Invoices.GetAsync(id, cancellationToken);
        if (invoice is null || invoice.CustomerId != session.Customer)
        {
            return Message(http, 404, "No such invoice", "This invoice is not in your account.");
        }

        var customer = await data.Customers.GetAsync(session.Customer, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.XFrameOptions = "DENY";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        // The printable invoice carries its own inline stylesheet and nothing else.
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'";
        return Results.Content(InvoiceHtml.Render(invoice, customer, data.BillingOptions.Value.Seller), "text/html; charset=utf-8");
    }
}
