using System.Diagnostics;

namespace Tollgate.Testing;

/// <summary>
/// A PDF read back as a reader sees it, through poppler's pdftotext (Debian poppler-utils, which test.sh installs):
/// the tests assert on the words a customer reads, not on how a library happened to write them.
/// </summary>
public static class PdfText
{
    /// <summary>The text of every page in reading layout (columns kept on their lines), so "Amount due   $15.00" reads as one line.</summary>
    public static Task<string> ReadAsync(byte[] pdf) => RunAsync(pdf, "-layout");

    /// <summary>Each word with its box in points, page by page: where text overprints other text, two boxes overlap.</summary>
    public static async Task<IReadOnlyList<WordBox>> WordsAsync(byte[] pdf)
    {
        var html = await RunAsync(pdf, "-bbox");
        var page = 0;
        var words = new List<WordBox>();
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(html,
            "<page |<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" xMax=\"([0-9.]+)\" yMax=\"([0-9.]+)\">([^<]*)</word>"))
        {
            if (m.Value == "<page ")
            {
                page++;
                continue;
            }

            double At(int group) => double.Parse(m.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);
            words.Add(new WordBox(page, System.Net.WebUtility.HtmlDecode(m.Groups[5].Value), At(1), At(2), At(3), At(4)));
        }

        return words;
    }

    private static async Task<string> RunAsync(byte[] pdf, string mode)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tollgate-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", [mode, "-enc", "UTF-8", path, "-"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("pdftotext did not start (install poppler-utils)");
            var reading = process.StandardOutput.ReadToEndAsync();
            var erring = process.StandardError.ReadToEndAsync();
            await RealTime.ExitAsync(process, TimeSpan.FromMinutes(2), $"pdftotext {path}");
            var (text, error) = (await reading, await erring);
            return process.ExitCode == 0 ? text : throw new InvalidOperationException($"pdftotext failed ({process.ExitCode}): {error}");
        }
        finally
        {
            // Set TOLLGATE_TEST_PDF_DIR to keep each PDF a test read (to look at it, or render it with pdftoppm).
            if (Environment.GetEnvironmentVariable("TOLLGATE_TEST_PDF_DIR") is { Length: > 0 } keep)
            {
                Directory.CreateDirectory(keep);
                File.Copy(path, Path.Combine(keep, Path.GetFileName(path)), overwrite: true);
            }

            File.Delete(path);
        }
    }

    /// <summary>The text with each run of spaces made one, so a line's columns compare as words ("Amount due $15.00").</summary>
    public static string Squeezed(string text) =>
        string.Join('\n', text.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), " {2,}", " ")));
}

/// <summary>A word as pdftotext places it: its page (from 1) and its box in points from the top left.</summary>
public sealed record WordBox(int Page, string Text, double Left, double Top, double Right, double Bottom)
{
    /// <summary>Whether the two boxes share more than a hair of area (pdftotext's boxes of neighbouring lines may touch).</summary>
    public bool Overlaps(WordBox other) =>
        Page == other.Page && Math.Min(Right, other.Right) - Math.Max(Left, other.Left) > 0.5
        && Math.Min(Bottom, other.Bottom) - Math.Max(Top, other.Top) > 0.5;
}
