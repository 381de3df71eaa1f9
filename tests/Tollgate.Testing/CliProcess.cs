using System.Diagnostics;

namespace Tollgate.Testing;

/// <summary>What a run of the server's command line printed, and how it ended.</summary>
public sealed record CliResult(int Exit, string Out, string Err);

/// <summary>Runs the real server binary as an operator would (a verb, or the server itself), configured by environment.</summary>
public static class CliProcess
{
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, string? workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A verb ends in seconds; the bound is for a hang, and leaves a slow start on a loaded machine its time.
        await RealTime.ExitAsync(process, TimeSpan.FromMinutes(5), $"tollgate {string.Join(' ', args)}");
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The environment that points the binary at a test database of the given store.</summary>
    public static Dictionary<string, string> Store(StoreKind kind, string connectionString) => new()
    {
        ["Tollgate__Database__Provider"] = kind == StoreKind.Sqlite ? "sqlite" : "postgres",
        ["Tollgate__Database__ConnectionString"] = connectionString,
    };
}
