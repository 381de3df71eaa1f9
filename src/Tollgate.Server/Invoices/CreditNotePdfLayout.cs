using Tollgate.Core.Billing;
using Tollgate.Core.Money;

namespace Tollgate.Server.Invoices;

/// <summary>A credit note on paper: the invoice it corrects, why, what it credits line by line, and where the money went.</summary>
public static class CreditNotePdfLayout
{
    public static byte[] Render(CreditNote note, Invoice invoice, PdfParties parties)
    {
        string M(long cents) => MinorUnits.Display(cents, note.Currency);
        var invoiceNumber = invoice.Number ?? invoice.Id;
        var footer = string.Join(" · ", new[] { parties.SellerName, note.Number, $"Amounts in {note.Currency}", parties.Seller.Email }
            .Where(p => p is { Length: > 0 }));
        using var sheet = new PdfSheet($"Credit note {note.Number}", parties.SellerName, footer);
        parties.DrawHeader(sheet, "CREDIT NOTE",
        [
            ("Credit note number", note.Number), ("Date of issue", PdfParties.Date(note.CreatedAt)), ("Invoice", invoiceNumber),
            ("Invoice date", PdfParties.Date(invoice.IssuedAt ?? invoice.CreatedAt)),
        ]);
        parties.DrawBillTo(sheet, [($"{M(note.AmountCents)} credited", true), ($"Reason: {note.Reason.Replace('_', ' ')}", false)]);

        sheet.Shade(sheet.Left, sheet.Y, sheet.Right - sheet.Left, 18, PdfSheet.Band);
        sheet.Text("DESCRIPTION", sheet.Left + 6, sheet.Y + 4.5, sheet.Small, PdfSheet.Muted);
        sheet.TextRight("AMOUNT", sheet.Right - 6, sheet.Y + 4.5, sheet.Small, PdfSheet.Muted);
        sheet.Y += 24;
        var row = sheet.LineHeight(sheet.Body);
        foreach (var line in note.Lines)
        {
            var wrapped = sheet.Wrap(line.Description, sheet.Body, 380);
            sheet.EnsureRoom((wrapped.Count * row) + 10);
            for (var i = 0; i < wrapped.Count; i++)
            {
                sheet.Text(wrapped[i], sheet.Left + 6, sheet.Y + (i * row), sheet.Body);
            }

            sheet.TextRight(M(line.AmountCents), sheet.Right - 6, sheet.Y, sheet.Body);
            sheet.Y += (wrapped.Count * row) + 4;
            sheet.Rule(sheet.Y, 0.5);
            sheet.Y += 5;
        }

        var rows = new List<(string Label, long Cents)>();
        if (note.PrePaymentAmountCents != 0)
        {
            rows.Add(($"Taken off invoice {invoiceNumber}", note.PrePaymentAmountCents));
        }

        if (note.CreditBalanceCents != 0)
        {
            rows.Add(("Added to your credit balance", note.CreditBalanceCents));
        }

        if (note.RefundAmountCents != 0)
        {
            rows.Add(("Refunded to your payment method", note.RefundAmountCents));
        }

        sheet.EnsureRoom((rows.Count * (row + 2)) + 40);
        sheet.Y += 6;
        const double labelX = 300;
        foreach (var (label, cents) in rows)
        {
            sheet.Text(label, labelX, sheet.Y, sheet.Body, PdfSheet.Muted);
            sheet.TextRight(M(cents), sheet.Right - 6, sheet.Y, sheet.Body);
            sheet.Y += row + 2;
        }

        sheet.Rule(sheet.Y + 2, 1.5, PdfSheet.Ink, labelX);
        sheet.Y += 8;
        sheet.Text("Total credited", labelX, sheet.Y, sheet.Heading);
        sheet.TextRight(M(note.AmountCents), sheet.Right - 6, sheet.Y, sheet.Heading);
        sheet.Y += sheet.LineHeight(sheet.Heading) + 18;

        foreach (var text in new[] { note.Memo, parties.TaxNote() }.Where(t => t is { Length: > 0 }))
        {
            foreach (var line in sheet.Wrap(text!, sheet.Body, sheet.Right - sheet.Left))
            {
                sheet.EnsureRoom(row);
                sheet.Text(line, sheet.Left, sheet.Y, sheet.Body, PdfSheet.Muted);
                sheet.Y += row;
            }

            sheet.Y += 4;
        }

        return sheet.ToBytes();
    }
}
