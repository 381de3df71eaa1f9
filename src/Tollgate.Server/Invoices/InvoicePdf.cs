using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Server.Web;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Invoices;

/// <summary>
/// The PDF of an invoice or a credit note, for GET …/pdf, the portal's "Download PDF" and the invoice e-mail's attachment;
/// it reads what the printable HTML invoice reads (seller settings, the customer's billing details, the credit notes).
/// </summary>
public sealed class InvoicePdf(
    CatalogCache catalog, CreditNoteStore creditNotes, InvoiceStore invoices, CustomerStore customers, IOptions<BillingOptions> billing,
    IOptions<PagesOptions> pages)
{
    public const string ContentType = "application/pdf";

    public async Task<byte[]> InvoiceAsync(Invoice invoice, Customer? customer, CancellationToken cancellationToken = default)
    {
        var snapshot = await catalog.GetAsync(cancellationToken);
        var notes = await creditNotes.ForInvoiceAsync(invoice.Id, cancellationToken);
        return InvoicePdfLayout.Render(invoice, Parties(invoice.CustomerId, customer), notes, code => snapshot.Plan(code)?.Name);
    }

    /// <summary>The credit note's PDF, or null when its invoice is gone (never: invoices are kept).</summary>
    public async Task<byte[]?> CreditNoteAsync(CreditNote note, CancellationToken cancellationToken = default)
    {
        if (await invoices.GetAsync(note.InvoiceId, cancellationToken) is not { } invoice)
        {
            return null;
        }

        var customer = await customers.GetAsync(note.CustomerId, cancellationToken);
        return CreditNotePdfLayout.Render(note, invoice, Parties(note.CustomerId, customer));
    }

    /// <summary>"invoice-TG-2026-000001.pdf": the number, kept to characters any file system takes.</summary>
    public static string FileName(string kind, string number) =>
        $"{kind}-{new string([.. number.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')])}.pdf";

    // An invoice names who sells: the seller's name when set, else the product the customer knows, never Tollgate.
    private PdfParties Parties(string customerId, Customer? customer)
    {
        var seller = billing.Value.Seller;
        return new PdfParties(seller.Name is { Length: > 0 } name ? name : pages.Value.Brand ?? "", seller, customerId, customer);
    }
}
