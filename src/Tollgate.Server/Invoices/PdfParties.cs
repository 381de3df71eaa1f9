using System.Globalization;
using PdfSharp.Drawing;
using Tollgate.Core.Customers;
using Tollgate.Server.Billing;

namespace Tollgate.Server.Invoices;

/// <summary>Who sells and who buys, as both documents print them: the seller's block at the top left, the customer's below.</summary>
public sealed record PdfParties(string SellerName, SellerOptions Seller, string CustomerId, Customer? Customer)
{
    /// <summary>The seller's lines under its name: the address one part to a line, the e-mail, the tax id.</summary>
    public IReadOnlyList<string> SellerLines() =>
    [
        .. Seller.Address.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        .. Seller.Email is { Length: > 0 } email ? new[] { email } : [],
        .. Seller.TaxId is { Length: > 0 } taxId ? new[] { "Tax ID " + taxId } : [],
    ];

    /// <summary>The customer's billing details: name, address, tax ids, e-mail; a deleted customer is its id alone.</summary>
    public IReadOnlyList<string> CustomerLines() => Customer is not { } c ? [] :
    [
        .. c.Address?.Lines() ?? [],
        .. c.TaxIds.Select(t => t.Describe()),
        .. c.Email is { Length: > 0 } email ? new[] { email } : [],
    ];

    public string CustomerName => Customer?.Name is { Length: > 0 } name ? name : CustomerId;

    /// <summary>Draws the seller's block from the top and the title block at the right; leaves Y below the taller one.</summary>
    public void DrawHeader(PdfSheet sheet, string title, IReadOnlyList<(string Label, string Value)> facts)
    {
        var top = sheet.Y;
        var titleWidth = Math.Max(sheet.Width(title, sheet.Title),
            facts.Select(f => 110 + sheet.Width(f.Value, sheet.Strong)).DefaultIfEmpty(0).Max());
        var width = ColumnWidth(sheet, titleWidth);
        var y = top;
        foreach (var line in sheet.Wrap(SellerName, sheet.Large, width))
        {
            sheet.Text(line, sheet.Left, y, sheet.Large);
            y += sheet.LineHeight(sheet.Large);
        }

        y += 2;
        y = Column(sheet, SellerLines(), sheet.Body, width, y, PdfSheet.Muted);

        sheet.TextRight(title, sheet.Right, top - 4, sheet.Title, PdfSheet.Accent);
        var right = top + sheet.LineHeight(sheet.Title) + 2;
        foreach (var (label, value) in facts)
        {
            sheet.TextRight(label, sheet.Right - 110, right, sheet.Body, PdfSheet.Muted);
            sheet.TextRight(value, sheet.Right, right, sheet.Strong);
            right += sheet.LineHeight(sheet.Body);
        }

        sheet.Y = Math.Max(y, right) + 18;
        sheet.Rule(sheet.Y);
        sheet.Y += 14;
    }

    /// <summary>The "Bill to" block; beside it at the right, <paramref name="aside"/> lines (the amount due, say).</summary>
    public void DrawBillTo(PdfSheet sheet, IReadOnlyList<(string Text, bool Strong)> aside)
    {
        var top = sheet.Y;
        var width = ColumnWidth(sheet, aside.Select(a => sheet.Width(a.Text, a.Strong ? sheet.Large : sheet.Body)).DefaultIfEmpty(0).Max());
        sheet.Text("BILL TO", sheet.Left, top, sheet.Small, PdfSheet.Muted);
        var y = top + sheet.LineHeight(sheet.Small) + 2;
        y = Column(sheet, [CustomerName], sheet.Strong, width, y);
        y = Column(sheet, CustomerLines(), sheet.Body, width, y);
        y = Column(sheet, [$"Customer ID {CustomerId}"], sheet.Small, width, y, PdfSheet.Muted);

        var right = top;
        foreach (var (text, strong) in aside)
        {
            var font = strong ? sheet.Large : sheet.Body;
            sheet.TextRight(text, sheet.Right, right, font, strong ? PdfSheet.Ink : PdfSheet.Muted);
            right += sheet.LineHeight(font) + 2;
        }

        sheet.Y = Math.Max(y, right) + 16;
    }

    // The left column stops short of what the right prints beside it, so a long name wraps instead of running under the
    // amount due; never narrower than a third of the page.
    private static double ColumnWidth(PdfSheet sheet, double besideWidth) =>
        Math.Max((sheet.Right - sheet.Left) / 3, sheet.Right - sheet.Left - besideWidth - 24);

    private static double Column(PdfSheet sheet, IEnumerable<string> lines, XFont font, double width, double y, XColor? color = null)
    {
        foreach (var line in lines.SelectMany(l => sheet.Wrap(l, font, width)))
        {
            sheet.Text(line, sheet.Left, y, font, color);
            y += sheet.LineHeight(font);
        }

        return y;
    }

    public const string ReverseChargeNote = "Reverse charge: VAT is to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC).";

    /// <summary>A note the customer's tax status calls for, or null: reverse charge (the buyer accounts for the VAT) or exempt.</summary>
    public string? TaxNote() => Customer?.TaxExempt switch
    {
        TaxExemptions.Reverse => ReverseChargeNote,
        TaxExemptions.Exempt => "The customer is exempt from tax.",
        _ => null,
    };

    public static string Date(DateTimeOffset? at) => at?.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture) ?? "";
}
