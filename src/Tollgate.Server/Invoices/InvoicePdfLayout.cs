using System.Globalization;
using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Core.Money;
using Tollgate.Server.Web.Invoices;

namespace Tollgate.Server.Invoices;

/// <summary>
/// An invoice on paper, with what the printable HTML invoice shows: seller, customer, number and dates, the lines with their
/// periods, quantities and discounts, the totals down to the amount due, and the credit notes issued against it.
/// </summary>
public static class InvoicePdfLayout
{
    public static byte[] Render(Invoice invoice, PdfParties parties, IReadOnlyList<CreditNote> creditNotes, Func<string, string?> planName)
    {
        string M(long cents) => MinorUnits.Display(cents, invoice.Currency);
        var number = invoice.Number ?? invoice.Id;
        using var sheet = new PdfSheet($"Invoice {number}", parties.SellerName, Footer(invoice, parties));
        var facts = new List<(string, string)>
        {
            ("Invoice number", number), ("Date of issue", PdfParties.Date(invoice.IssuedAt ?? invoice.CreatedAt)),
        };
        if (invoice.DueAt is { } due)
        {
            facts.Add(("Date due", PdfParties.Date(due)));
        }

        if (invoice.PaidAt is { } paid)
        {
            facts.Add(("Paid", PdfParties.Date(paid)));
        }

        facts.Add(("Status", invoice.Status.ToWire().ToUpperInvariant()));
        parties.DrawHeader(sheet, "INVOICE", facts);

        var dueNow = invoice.LeftToPayCents();
        var (serviceFrom, serviceTo) = invoice.ServicePeriod();
        parties.DrawBillTo(sheet,
        [
            // A paid invoice heads with what was paid, as Stripe's does: what is left to pay is nothing by then.
            (invoice.Status == InvoiceStatus.Paid ? $"{M(invoice.AmountPaidCents)} paid"
                : $"{M(dueNow)} due" + (invoice.Status == InvoiceStatus.Open && invoice.DueAt is { } d ? $" {PdfParties.Date(d)}" : ""), true),
            ($"Service period {PdfParties.Date(serviceFrom)} – {PdfParties.Date(serviceTo)}", false),
        ]);

        DrawLines(sheet, invoice, planName, M);
        DrawTotals(sheet, invoice, creditNotes, dueNow, M);
        DrawCreditNotes(sheet, creditNotes, M);
        DrawNotes(sheet, invoice, parties, M);
        return sheet.ToBytes();
    }

    // Columns: description, period, quantity, unit price, amount; the three numbers right-aligned on these edges.
    private const double PeriodX = 262, QtyRight = 405, UnitRight = 475;

    private static void DrawLines(PdfSheet sheet, Invoice invoice, Func<string, string?> planName, Func<long, string> m)
    {
        void Header()
        {
            sheet.Shade(sheet.Left, sheet.Y, sheet.Right - sheet.Left, 18, PdfSheet.Band);
            var y = sheet.Y + 4.5;
            sheet.Text("DESCRIPTION", sheet.Left + 6, y, sheet.Small, PdfSheet.Muted);
            sheet.Text("PERIOD", PeriodX, y, sheet.Small, PdfSheet.Muted);
            sheet.TextRight("QTY", QtyRight, y, sheet.Small, PdfSheet.Muted);
            sheet.TextRight("UNIT PRICE", UnitRight, y, sheet.Small, PdfSheet.Muted);
            sheet.TextRight("AMOUNT", sheet.Right - 6, y, sheet.Small, PdfSheet.Muted);
            sheet.Y += 24;
        }

        Header();
        var row = sheet.LineHeight(sheet.Body);
        foreach (var line in invoice.Lines)
        {
            var description = sheet.Wrap(LineWords.Describe(line, planName), sheet.Body, PeriodX - sheet.Left - 16);
            // The period breaks after its dash when a long quantity would reach it, where "28 Nov 2026" ran into "1,137".
            var quantity = line.Quantity.ToString("N0", CultureInfo.InvariantCulture);
            var (from, to) = (PdfParties.Date(line.PeriodStart), PdfParties.Date(line.PeriodEnd));
            string[] period = sheet.Width($"{from} – {to}", sheet.Body) <= QtyRight - sheet.Width(quantity, sheet.Body) - 8 - PeriodX
                ? [$"{from} – {to}"] : [$"{from} –", to];
            // A number too wide for its column (an amount of 20 digits) takes a row of its own below, where it overprinted
            // the unit price: the unit price below the quantity, the amount below both.
            var (unit, amount) = (line.IsQuantityTimesUnit ? m(line.UnitAmountCents) : "", m(line.AmountCents));
            var unitRow = sheet.Width(unit, sheet.Body) <= UnitRight - QtyRight - 8 ? 0 : 1;
            var amountRow = sheet.Width(amount, sheet.Body) <= sheet.Right - 6 - UnitRight - 8 ? 0 : unitRow + 1;
            var texts = Math.Max(Math.Max(description.Count, period.Length), Math.Max(unitRow, amountRow) + 1);
            var height = (texts * row) + (line.DiscountCents != 0 ? row : 0) + (line.Taxes.Count * row) + 8;
            if (sheet.EnsureRoom(height))
            {
                Header();
            }

            var top = sheet.Y;
            for (var i = 0; i < description.Count; i++)
            {
                sheet.Text(description[i], sheet.Left + 6, top + (i * row), sheet.Body);
            }

            for (var i = 0; i < period.Length; i++)
            {
                sheet.Text(period[i], PeriodX, top + (i * row), sheet.Body, PdfSheet.Muted);
            }

            sheet.TextRight(quantity, QtyRight, top, sheet.Body);
            sheet.TextRight(unit, UnitRight, top + (unitRow * row), sheet.Body);
            sheet.TextRight(amount, sheet.Right - 6, top + (amountRow * row), sheet.Body);
            sheet.Y = top + (texts * row);
            if (line.DiscountCents != 0)
            {
                sheet.Text(DiscountWords.Label(line.DiscountCents), sheet.Left + 18, sheet.Y, sheet.Body, PdfSheet.Muted);
                sheet.TextRight(DiscountWords.Amount(line.DiscountCents, m), sheet.Right - 6, sheet.Y, sheet.Body, PdfSheet.Muted);
                sheet.Y += row;
            }

            foreach (var tax in line.Taxes)
            {
                sheet.Text(TaxWords.Label(tax.Name, tax.Percentage, tax.Inclusive), sheet.Left + 18, sheet.Y, sheet.Body, PdfSheet.Muted);
                sheet.TextRight(m(tax.AmountCents), sheet.Right - 6, sheet.Y, sheet.Body, PdfSheet.Muted);
                sheet.Y += row;
            }

            sheet.Y += 4;
            sheet.Rule(sheet.Y, 0.5);
            sheet.Y += 5;
        }
    }

    private static void DrawTotals(PdfSheet sheet, Invoice invoice, IReadOnlyList<CreditNote> notes, long dueNow, Func<long, string> m)
    {
        var rows = new List<(string Label, string Amount)> { ("Subtotal", m(invoice.SubtotalCents)) };
        if (invoice.DiscountCents != 0)
        {
            rows.Add((DiscountWords.Label(invoice.DiscountCents, "Discounts"), DiscountWords.Amount(invoice.DiscountCents, m)));
        }

        // Tax per rate after the discounts, then the total they come to (inclusive tax is shown, not added); the total is
        // printed on every invoice, as Stripe's, untaxed ones too.
        rows.AddRange(invoice.TaxBreakdown.Select(t => ($"{TaxWords.Label(t.Name, t.Percentage, t.Inclusive)} on {m(t.TaxableCents)}", m(t.AmountCents))));
        rows.Add(("Total", m(invoice.TotalCents)));

        if (invoice.CreditedCents != 0)
        {
            rows.Add(("Credit notes", m(-invoice.CreditedCents)));
        }

        if (CreditNote.ReturnedCents(notes) is not 0 and var returned)
        {
            rows.Add(("Credited to balance or refunded", m(returned)));
        }

        rows.Add(("Credit applied", m(-invoice.CreditAppliedCents)));
        rows.Add(("Amount paid", m(invoice.AmountPaidCents)));
        var row = sheet.LineHeight(sheet.Body) + 2;
        const double labelX = 330;
        // A label wraps beside its amount (a long tax rate's name ran off the page), or, with no room beside it, over
        // the whole width with the amount on a row of its own below.
        var width = sheet.Right - 6 - labelX;
        var laid = rows.Select(r =>
        {
            var beside = width - sheet.Width(r.Amount, sheet.Body) - 8;
            var lines = sheet.Wrap(r.Label, sheet.Body, beside >= 80 ? beside : width);
            return (Lines: lines, r.Amount, Below: beside < 80 || lines.Count == 0);
        }).ToList();
        sheet.EnsureRoom((laid.Sum(r => r.Lines.Count + (r.Below ? 1 : 0)) * row) + 40);
        sheet.Y += 6;
        foreach (var (lines, amount, below) in laid)
        {
            sheet.TextRight(amount, sheet.Right - 6, sheet.Y + (below ? lines.Count * row : 0), sheet.Body);
            foreach (var line in lines)
            {
                sheet.Text(line, labelX, sheet.Y, sheet.Body, PdfSheet.Muted);
                sheet.Y += row;
            }

            sheet.Y += below || lines.Count == 0 ? row : 0;
        }

        sheet.Y += 2;
        sheet.Rule(sheet.Y, 1.5, PdfSheet.Ink, labelX);
        sheet.Y += 6;
        sheet.Text("Amount due", labelX, sheet.Y, sheet.Heading);
        sheet.Y += AmountBeside(sheet, "Amount due", m(dueNow), labelX, sheet.Heading) * sheet.LineHeight(sheet.Heading);
        sheet.Y += sheet.LineHeight(sheet.Heading) + 18;
    }

    /// <summary>
    /// Draws <paramref name="amount"/> right-aligned on the label's row, or on the row below when the two would meet (an
    /// amount of 20 digits); answers how many rows it moved down.
    /// </summary>
    private static int AmountBeside(PdfSheet sheet, string label, string amount, double labelX, PdfSharp.Drawing.XFont font)
    {
        var below = labelX + sheet.Width(label, font) + 8 > sheet.Right - 6 - sheet.Width(amount, font) ? 1 : 0;
        sheet.TextRight(amount, sheet.Right - 6, sheet.Y + (below * sheet.LineHeight(font)), font);
        return below;
    }

    private static void DrawCreditNotes(PdfSheet sheet, IReadOnlyList<CreditNote> notes, Func<long, string> m)
    {
        if (notes.Count == 0)
        {
            return;
        }

        var row = sheet.LineHeight(sheet.Body) + 2;
        sheet.EnsureRoom(40 + row);
        sheet.Text("Credit notes", sheet.Left, sheet.Y, sheet.Heading);
        sheet.Y += sheet.LineHeight(sheet.Heading) + 4;
        foreach (var note in notes)
        {
            var reason = note.Reason.Replace('_', ' ') + (note.Memo is { Length: > 0 } memo ? " · " + memo : "");
            var wrapped = sheet.Wrap(reason, sheet.Body, 230);
            sheet.EnsureRoom(wrapped.Count * row);
            sheet.Text(note.Number, sheet.Left + 6, sheet.Y, sheet.Body);
            sheet.Text(PdfParties.Date(note.CreatedAt), 160, sheet.Y, sheet.Body, PdfSheet.Muted);
            for (var i = 0; i < wrapped.Count; i++)
            {
                sheet.Text(wrapped[i], 240, sheet.Y + (i * row), sheet.Body, PdfSheet.Muted);
            }

            sheet.TextRight(m(-note.AmountCents), sheet.Right - 6, sheet.Y, sheet.Body);
            sheet.Y += wrapped.Count * row;
        }

        sheet.Y += 14;
    }

    private static void DrawNotes(PdfSheet sheet, Invoice invoice, PdfParties parties, Func<long, string> m)
    {
        var notes = new List<string>();
        if (invoice.TotalCents < 0)
        {
            notes.Add($"{m(-invoice.TotalCents)} has been added to your account credit and will be used on your next invoice.");
        }

        // Reverse charge is how the invoice was issued; exemption is the customer's standing, printed as the customer is now.
        if (invoice.ReverseCharge)
        {
            notes.Add(PdfParties.ReverseChargeNote);
        }
        else if (parties.TaxNote() is { } tax && parties.Customer?.TaxExempt != TaxExemptions.Reverse)
        {
            notes.Add(tax);
        }

        if (InvoiceWords.PaymentNote(invoice) is { } payment)
        {
            notes.Add(payment);
        }

        foreach (var note in notes)
        {
            var lines = sheet.Wrap(note, sheet.Body, sheet.Right - sheet.Left);
            sheet.EnsureRoom(lines.Count * sheet.LineHeight(sheet.Body));
            foreach (var line in lines)
            {
                sheet.Text(line, sheet.Left, sheet.Y, sheet.Body, PdfSheet.Muted);
                sheet.Y += sheet.LineHeight(sheet.Body);
            }

            sheet.Y += 4;
        }
    }

    private static string Footer(Invoice invoice, PdfParties parties) =>
        string.Join(" · ", new[] { parties.SellerName, invoice.Number ?? invoice.Id, $"Amounts in {invoice.Currency}", parties.Seller.Email }
            .Where(p => p is { Length: > 0 }));
}
