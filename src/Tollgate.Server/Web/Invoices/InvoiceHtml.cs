using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Web.Invoices;

/// <summary>
/// The printable invoice: seller, buyer, number and dates, lines with their service periods (a plan named as the catalog
/// names it), totals and status; one document for the portal, GET /v1/invoices/{id}/html and the invoice e-mails.
/// </summary>
public sealed class InvoiceHtml(
    ComponentHtml html, CatalogCache catalog, CreditNoteStore creditNotes, IOptions<BillingOptions> billing, IOptions<PagesOptions> pages)
{
    /// <summary>The whole document, with its own inline stylesheet.</summary>
    public Task<string> RenderAsync(Invoice invoice, Customer? customer, CancellationToken cancellationToken = default) =>
        RenderAsync(invoice, customer, null, cancellationToken);

    /// <summary>The document with a "Download PDF" link to <paramref name="pdfHref"/> (the portal's and the console's view).</summary>
    public async Task<string> RenderAsync(Invoice invoice, Customer? customer, string? pdfHref, CancellationToken cancellationToken = default)
    {
        var snapshot = await catalog.GetAsync(cancellationToken);
        var seller = billing.Value.Seller;
        var notes = await creditNotes.ForInvoiceAsync(invoice.Id, cancellationToken);
        return await html.RenderAsync<InvoiceSheet>(new Dictionary<string, object?>
        {
            [nameof(InvoiceSheet.Invoice)] = invoice,
            [nameof(InvoiceSheet.Customer)] = customer,
            [nameof(InvoiceSheet.Seller)] = seller,
            // An invoice names who sells: the seller's name when set, else the product the customer knows, never Tollgate.
            [nameof(InvoiceSheet.SellerName)] = seller.Name is { Length: > 0 } name ? name : pages.Value.Brand ?? "",
            [nameof(InvoiceSheet.PlanName)] = (Func<string, string?>)(code => snapshot.Plan(code)?.Name),
            [nameof(InvoiceSheet.CreditNotes)] = notes,
            [nameof(InvoiceSheet.PdfHref)] = pdfHref,
        });
    }
}
