using System.Diagnostics;

namespace Tollgate.Testing;

/// <summary>
/// A PDF read back as a reader sees it, through poppler's pdftotext (Debian poppler-utils, which test.sh installs):
/// the tests assert on the words a customer reads, not on how a library happened to write them.
/// </summary>
public static class PdfText
{
    /// <summary>The text of every page in reading layout (columns kept on their lines), so "Amount due   $15.00" reads as one line.</summary>
    public static async Task<string> ReadAsync(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tollgate-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-layout", "-enc", "UTF-8", path, "-"])
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
