using System.Diagnostics;
using System.Text;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>How a run of a document's blocks ended: the block that failed (null when all ran) and what it printed.</summary>
public sealed record DocShellRun(int Ran, DocBlock? Failed, int Exit, string Output)
{
    public string Describe(string doc) => Failed is null
        ? $"{doc}: {Ran} blocks ran"
        : $"{doc}: the block at line {Failed.Line} ({Failed.FirstLine}) failed with exit code {Exit}; it printed:\n{Output}";
}

/// <summary>
/// Runs shell blocks as a reader pastes them into one terminal, in order (so a variable set by one is seen by the next),
/// in bash against a server on <c>port</c>: each <c>localhost:5080</c> is read as <c>localhost:port</c>.
/// </summary>
public static class DocShell
{
    private const string Marker = "##doc-block ";

    /// <summary>
    /// Stops at the first failing command (errexit, nounset, pipefail), and makes every curl fail on an HTTP error status
    /// (curl's --fail-with-body) unless the block already asks for a failure with -f: an example that answers 4xx is
    /// broken, whatever it printed.
    /// </summary>
    public const string Strict = """
        set -euo pipefail
        curl() {
          local arg
          for arg in "$@"; do
            case "$arg" in --fail|--fail-with-body|-[!-]*f*|-f*) command curl "$@"; return;; esac
          done
          command curl --fail-with-body "$@"
        }
        """;

    public static async Task<DocShellRun> RunAsync(
        IReadOnlyList<DocBlock> blocks, int port, string workingDirectory, IReadOnlyDictionary<string, string> environment,
        string prelude = Strict)
    {
        // Stderr joins stdout so that what a block printed reads in order.
        var script = new StringBuilder("exec 2>&1\n").Append(prelude).Append('\n');
        for (var i = 0; i < blocks.Count; i++)
        {
            script.Append($"echo '{Marker}{i}'\n")
                .Append(blocks[i].Text.Replace("localhost:5080", $"localhost:{port}", StringComparison.Ordinal)).Append('\n');
        }

        script.Append($"echo '{Marker}end'\n");
        var file = Path.Combine(Path.GetTempPath(), $"tollgate-doc-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(file, script.ToString());
        try
        {
            return await RunScriptAsync(blocks, file, workingDirectory, environment);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<DocShellRun> RunScriptAsync(
        IReadOnlyList<DocBlock> blocks, string file, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory, RedirectStandardInput = true, RedirectStandardOutput = true,
        };
        start.ArgumentList.Add(file);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close(); // a command that reads its input gets none, as in a script
        var output = process.StandardOutput.ReadToEndAsync();
        // A bound, not a timing assertion: a block that hangs (a wait loop that never ends) fails the run instead of the suite.
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return Read(blocks, process.ExitCode, await output);
    }

    private static DocShellRun Read(IReadOnlyList<DocBlock> blocks, int exit, string output)
    {
        var last = output.LastIndexOf(Marker, StringComparison.Ordinal);
        var reached = last < 0 ? "0" : output[(last + Marker.Length)..].Split('\n')[0];
        if (exit == 0 && reached == "end")
        {
            return new DocShellRun(blocks.Count, null, 0, output);
        }

        var index = int.TryParse(reached, out var n) ? n : blocks.Count - 1;
        var printed = last < 0 ? output : output[(output.IndexOf('\n', last) + 1)..];
        return new DocShellRun(index, blocks[index], exit, printed);
    }
}
