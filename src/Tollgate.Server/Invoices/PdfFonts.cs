using PdfSharp.Fonts;

namespace Tollgate.Server.Invoices;

/// <summary>
/// DejaVu Sans, shipped inside the server (Fonts/, Bitstream Vera licence), so a PDF renders the same on any host with no
/// font package installed, and prints €, £, ₹ and ₩. PDFsharp takes one resolver per process, set before its first font.
/// </summary>
public sealed class PdfFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";

    // PDFsharp asks for one process-wide resolver, and the same instance every time: this one holds nothing that changes.
    private static readonly PdfFonts Instance = new();
    private static readonly Lock Gate = new();

    private static readonly Lazy<byte[]> Regular = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<byte[]> Bold = new(() => Load("DejaVuSans-Bold.ttf"));

    /// <summary>Installs the resolver unless it already is; every renderer calls this before it makes a font.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (!ReferenceEquals(GlobalFontSettings.FontResolver, Instance))
            {
                GlobalFontSettings.FontResolver = Instance;
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

    public byte[]? GetFont(string faceName) => faceName == "DejaVuSans-Bold" ? Bold.Value : Regular.Value;

    private static byte[] Load(string file)
    {
        using var stream = typeof(PdfFonts).Assembly.GetManifestResourceStream($"{typeof(PdfFonts).Namespace}.Fonts.{file}")
            ?? throw new InvalidOperationException($"the font {file} is not embedded in the server");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
