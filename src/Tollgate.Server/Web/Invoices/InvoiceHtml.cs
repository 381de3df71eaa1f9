using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Storage.Billing;

namespace Tollgate.Server.Web.Invoices;

/// <summary>A printable invoice: seller, buyer, number and dates, lines with their service periods, totals and status.</summary>
public static class InvoiceHtml
{
    /// <summary>The whole document, with its own inline stylesheet, as the portal, the API and the invoice e-mails send it.</summary>
    public static Task<string> RenderAsync(ComponentHtml html, Invoice invoice, Customer? customer, SellerOptions seller) =>
        html.RenderAsync<InvoiceSheet>(new Dictionary<string, object?>
        {
            [nameof(InvoiceSheet.Invoice)] = invoice,
            [nameof(InvoiceSheet.Customer)] = customer,
            [nameof(InvoiceSheet.Seller)] = seller,
        });
}
