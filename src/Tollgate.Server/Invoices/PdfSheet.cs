using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Tollgate.Server.Invoices;

/// <summary>
/// A4 pages written top to bottom: text placed left, right or wrapped in a column, rules and shaded bands, a new page when
/// the next block does not fit, and "Page n of m" on each page at the end. PDFsharp writes the PDF; this only places.
/// </summary>
public sealed class PdfSheet : IDisposable
{
    public const double Margin = 50;
    private const double FooterHeight = 36;

    public static readonly XColor Ink = XColor.FromArgb(0x1d, 0x24, 0x33);
    public static readonly XColor Muted = XColor.FromArgb(0x5b, 0x64, 0x75);
    public static readonly XColor Accent = XColor.FromArgb(0x43, 0x38, 0xca);
    public static readonly XColor Band = XColor.FromArgb(0xf1, 0xf3, 0xf7);
    public static readonly XColor Line = XColor.FromArgb(0xd8, 0xdc, 0xe3);

    private readonly PdfDocument document = new();
    private readonly string footer;
    private XGraphics graphics = null!;

    // Before any instance's fonts are made (the property initializers run ahead of the constructor's body).
    static PdfSheet() => PdfFonts.Install();

    public PdfSheet(string title, string author, string footer)
    {
        this.footer = footer;
        document.Info.Title = title;
        document.Info.Author = author;
        document.Info.Creator = "Tollgate";
        NewPage();
    }

    public XFont Small { get; } = new(PdfFonts.Family, 7.5, XFontStyleEx.Regular);
    public XFont Body { get; } = new(PdfFonts.Family, 9, XFontStyleEx.Regular);
    public XFont Strong { get; } = new(PdfFonts.Family, 9, XFontStyleEx.Bold);
    public XFont Heading { get; } = new(PdfFonts.Family, 11, XFontStyleEx.Bold);
    public XFont Large { get; } = new(PdfFonts.Family, 14, XFontStyleEx.Bold);
    public XFont Title { get; } = new(PdfFonts.Family, 22, XFontStyleEx.Bold);

    /// <summary>Where the next block starts, in points from the page's top.</summary>
    public double Y { get; set; }

    public double Left => Margin;

    public double Right => PageWidth - Margin;

    private double PageWidth => document.Pages[^1].Width.Point;

    private double Bottom => document.Pages[^1].Height.Point - Margin - FooterHeight;

    /// <summary>Starts a new page when <paramref name="height"/> more points would run into the footer; true when it did.</summary>
    public bool EnsureRoom(double height)
    {
        if (Y + height <= Bottom)
        {
            return false;
        }

        NewPage();
        return true;
    }

    public double LineHeight(XFont font) => font.Size * 1.35;

    public double Width(string text, XFont font) => graphics.MeasureString(Printable(text), font).Width;

    /// <summary>Text with its top left at (x, y).</summary>
    public void Text(string text, double x, double y, XFont font, XColor? color = null) =>
        graphics.DrawString(Printable(text), font, new XSolidBrush(color ?? Ink), new XRect(x, y, Math.Max(1, Right - x), LineHeight(font)), XStringFormats.TopLeft);

    /// <summary>Text with its top right at (right, y): amounts line up on their last digit.</summary>
    public void TextRight(string text, double right, double y, XFont font, XColor? color = null) =>
        graphics.DrawString(Printable(text), font, new XSolidBrush(color ?? Ink), new XRect(Left, y, right - Left, LineHeight(font)), XStringFormats.TopRight);

    /// <summary>
    /// The text with each character beyond the Basic Multilingual Plane (an emoji, 😀) as U+FFFD. The font has no glyph
    /// for them, and PDFsharp wrote their text layer as the wrong character (😀, U+1F600, copied out as U+1F60, a Greek
    /// letter): the replacement mark prints as what it is, and copies out as itself.
    /// </summary>
    public static string Printable(string text)
    {
        if (!text.Any(char.IsSurrogate))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            builder.Append(rune.IsBmp ? (char)rune.Value : '\uFFFD');
        }

        return builder.ToString();
    }

    /// <summary>The text broken into lines at spaces so each fits <paramref name="width"/>; a word longer than that is cut.</summary>
    public IReadOnlyList<string> Wrap(string text, XFont font, double width)
    {
        text = Printable(text); // one char per character from here, so a cut never splits a surrogate pair
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = current.Length == 0 ? word : current + " " + word;
            if (Width(candidate, font) <= width)
            {
                current = candidate;
                continue;
            }

            if (current.Length > 0)
            {
                lines.Add(current);
            }

            current = word;
            while (Width(current, font) > width && current.Length > 1)
            {
                var fit = current.Length - 1;
                while (fit > 1 && Width(current[..fit], font) > width)
                {
                    fit--;
                }

                lines.Add(current[..fit]);
                current = current[fit..];
            }
        }

        if (current.Length > 0 || lines.Count == 0)
        {
            lines.Add(current);
        }

        return lines;
    }

    public void Rule(double y, double thickness = 0.75, XColor? color = null, double? from = null, double? to = null) =>
        graphics.DrawLine(new XPen(color ?? Line, thickness), from ?? Left, y, to ?? Right, y);

    public void Shade(double x, double y, double width, double height, XColor color) =>
        graphics.DrawRectangle(new XSolidBrush(color), x, y, width, height);

    /// <summary>The finished document: each page gets its footer and number, then the bytes.</summary>
    public byte[] ToBytes()
    {
        var count = document.PageCount;
        // A footer long enough to reach the page number (a long seller's name) wraps below, in the bottom margin; measured
        // while the last page's graphics are still open.
        var footerLines = Wrap(footer, Small, document.Pages[^1].Width.Point - (2 * Margin) - Width($"Page {count} of {count}", Small) - 12);
        graphics.Dispose();
        for (var i = 0; i < count; i++)
        {
            var page = document.Pages[i];
            using var g = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
            var y = page.Height.Point - Margin - 12;
            var brush = new XSolidBrush(Muted);
            g.DrawLine(new XPen(Line, 0.75), Margin, y - 8, page.Width.Point - Margin, y - 8);
            var lineY = y;
            foreach (var line in footerLines)
            {
                g.DrawString(line, Small, brush, new XRect(Margin, lineY, page.Width.Point - (2 * Margin), 12), XStringFormats.TopLeft);
                lineY += LineHeight(Small);
            }

            g.DrawString($"Page {i + 1} of {count}", Small, brush, new XRect(Margin, y, page.Width.Point - (2 * Margin), 12), XStringFormats.TopRight);
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    public void Dispose()
    {
        graphics.Dispose();
        document.Dispose();
    }

    private void NewPage()
    {
        graphics?.Dispose();
        var page = document.AddPage();
        page.Size = PageSize.A4;
        graphics = XGraphics.FromPdfPage(page);
        Y = Margin;
    }
}
