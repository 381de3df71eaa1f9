using System.Text.RegularExpressions;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>One ```sh block of a Markdown document: where it starts, its text, and why it is not run (null when it is).</summary>
public sealed record DocBlock(int Line, string Text, string? NotRun)
{
    /// <summary>A block that curls the server's address is an API example; anything else (a build, a server start) is not.</summary>
    public bool CallsTheServer =>
        Text.Contains("curl", StringComparison.Ordinal) && Text.Contains("localhost:5080", StringComparison.Ordinal);

    public string FirstLine => Text.Split('\n')[0];

    /// <summary>The text without its comments (a line that starts with #, or what follows " # "), which may abridge an answer.</summary>
    public string Commands => string.Join('\n', Text.Split('\n')
        .Where(line => !line.TrimStart().StartsWith('#'))
        .Select(line => line.Contains(" # ", StringComparison.Ordinal) ? line[..line.IndexOf(" # ", StringComparison.Ordinal)] : line));
}

/// <summary>
/// Reads a document's shell blocks. A block that calls the server but cannot run as written (it needs Stripe, the internet
/// or root) says so on the line before its fence, with the reason, which a reader of the rendered page does not see:
/// <c>&lt;!-- not run: needs a Stripe account --&gt;</c>.
/// </summary>
public static partial class DocBlocks
{
    public static IReadOnlyList<DocBlock> Shell(string markdown)
    {
        var text = markdown.Replace("\r\n", "\n", StringComparison.Ordinal);
        var blocks = new List<DocBlock>();
        foreach (Match block in ShellBlock().Matches(text))
        {
            var before = text[..block.Index].TrimEnd('\n');
            var notRun = NotRunMarker().Match(before[(before.LastIndexOf('\n') + 1)..]);
            var line = text[..block.Index].Count(c => c == '\n') + 1;
            blocks.Add(new DocBlock(line, block.Groups[1].Value, notRun.Success ? notRun.Groups[1].Value.Trim() : null));
        }

        return blocks;
    }

    [GeneratedRegex("^```sh\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex("^<!-- not run: (.*) -->$")]
    private static partial Regex NotRunMarker();
}
