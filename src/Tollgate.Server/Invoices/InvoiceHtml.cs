using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Core.Money;
using Tollgate.Storage.Billing;

namespace Tollgate.Server.Invoices;

/// <summary>A printable invoice: seller, buyer, number and dates, lines with their service periods, totals and status.</summary>
public static class InvoiceHtml
{
    public static string Render(Invoice invoice, Customer? customer, SellerOptions seller)
    {
        string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");
        string M(long cents) => E(MinorUnits.Display(cents, invoice.Currency));
        static string D(DateTimeOffset? at) => at?.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture) ?? "";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Invoice {{E(invoice.Number)}}</title>
            <style>
              body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2433; margin: 0; background: #f4f5f7; }
              .sheet { max-width: 800px; margin: 24px auto; background: #fff; padding: 48px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
              header { display: flex; justify-content: space-between; gap: 24px; align-items: flex-start; }
              h1 { font-size: 28px; margin: 0 0 4px; letter-spacing: .02em; }
              .muted { color: #5b6475; } .status { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600;
                font-size: 12px; text-transform: uppercase; background: #e8eefc; color: #1f4fbf; }
              .status.paid { background: #e3f5e9; color: #17633a; } .status.void, .status.uncollectible { background: #fbe9e9; color: #9b1c1c; }
              .parties { display: flex; justify-content: space-between; gap: 24px; margin: 32px 0; }
              table { width: 100%; border-collapse: collapse; margin-top: 8px; }
              th { text-align: left; font-size: 12px; text-transform: uppercase; color: #5b6475; border-bottom: 2px solid #d8dce3; padding: 8px 6px; }
              td { padding: 10px 6px; border-bottom: 1px solid #eceef2; vertical-align: top; }
              .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
              .totals { margin-left: auto; width: 320px; margin-top: 16px; } .totals td { border: 0; padding: 4px 6px; }
              .totals tr.due td { font-size: 18px; font-weight: 700; border-top: 2px solid #1d2433; padding-top: 8px; }
              footer { margin-top: 40px; font-size: 12px; }
              @media print { body { background: #fff; } .sheet { box-shadow: none; margin: 0; padding: 0; } }
            </style></head><body><main class="sheet">
            <header>
              <div><h1>Invoice</h1><div class="muted">Number <strong>{{E(invoice.Number)}}</strong></div></div>
              <div style="text-align:right"><span class="status {{invoice.Status.ToWire()}}">{{invoice.Status.ToWire()}}</span>
                <div class="muted">Issued {{D(invoice.IssuedAt)}}</div>
                <div class="muted">Due {{D(invoice.DueAt)}}</div>
                {{(invoice.PaidAt is { } paid ? $"<div class=\"muted\">Paid {D(paid)}</div>" : "")}}
              </div>
            </header>
            <section class="parties">
              <div><div class="muted">From</div><strong>{{E(seller.Name)}}</strong>
                <div>{{E(seller.Address).Replace(",", "<br>", StringComparison.Ordinal).Replace("\n", "<br>", StringComparison.Ordinal)}}</div>
                <div>{{E(seller.Email)}}</div>{{(seller.TaxId.Length > 0 ? $"<div>Tax ID {E(seller.TaxId)}</div>" : "")}}</div>
              <div style="text-align:right"><div class="muted">Bill to</div><strong>{{E(customer?.Name ?? invoice.CustomerId)}}</strong>
                <div>{{E(customer?.Email)}}</div><div class="muted">Customer {{E(invoice.CustomerId)}}</div></div>
            </section>
            <div class="muted">Service period {{D(invoice.PeriodStart)}} – {{D(invoice.PeriodEnd)}}</div>
            <table><thead><tr><th>Description</th><th>Period</th><th class="num">Qty</th><th class="num">Unit price</th><th class="num">Amount</th></tr></thead><tbody>
            """);
        foreach (var line in invoice.Lines)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{E(line.Description)}</td><td class="muted">{D(line.PeriodStart)} – {D(line.PeriodEnd)}</td>
                <td class="num">{line.Quantity:N0}</td><td class="num">{M(line.UnitAmountCents)}</td><td class="num">{M(line.AmountCents)}</td></tr>
                """);
            if (line.DiscountCents != 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"""<tr class="muted"><td colspan="4">Discount</td><td class="num">{M(-line.DiscountCents)}</td></tr>""");
            }
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table>
            <table class="totals"><tbody>
              <tr><td>Subtotal</td><td class="num">{M(invoice.SubtotalCents)}</td></tr>
              {(invoice.DiscountCents != 0 ? $"<tr><td>Discounts</td><td class=\"num\">{M(-invoice.DiscountCents)}</td></tr>" : "")}
              <tr><td>Credit applied</td><td class="num">{M(-invoice.CreditAppliedCents)}</td></tr>
              <tr><td>Amount paid</td><td class="num">{M(invoice.AmountPaidCents)}</td></tr>
              <tr class="due"><td>Amount due</td><td class="num">{M(invoice.Status == InvoiceStatus.Open ? invoice.AmountDueCents - invoice.AmountPaidCents : 0)}</td></tr>
            </tbody></table>
            {(invoice.SubtotalCents - invoice.DiscountCents < 0 ? $"<p>{M(invoice.DiscountCents - invoice.SubtotalCents)} has been added to your account credit and will be used on your next invoice.</p>" : "")}
            <footer class="muted">Amounts in {E(invoice.Currency)}. {(invoice.CollectionMethod == CollectionMethod.SendInvoice
                ? "Please pay by the due date." : "This invoice is charged to your payment method on file.")}
              Questions? {E(seller.Email)}</footer>
            </main></body></html>
            """);
        return html.ToString();
    }
}
