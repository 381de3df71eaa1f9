namespace Tollgate.Server.Catalog;

/// <summary>
/// Resolves a relative path the way the operator meant it: against the shell's directory. `dotnet run` starts the
/// server in the project's directory but keeps the shell's PWD, so without this `catalog apply catalogs/x.json` from
/// the repository root would look inside src/Tollgate.Server.
/// </summary>
public static class ShellPath
{
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var shell = Environment.GetEnvironmentVariable("PWD");
        var baseDirectory = shell is { Length: > 0 } && Path.IsPathRooted(shell) && Directory.Exists(shell) ? shell : Environment.CurrentDirectory;
        return Path.GetFullPath(Path.Combine(baseDirectory, path));
    }
}

/// <summary>A configuration mistake found before the server starts: printed as one line, and the process exits 78.</summary>
public sealed class StartupException(string message) : Exception(message)
{
    /// <summary>EX_CONFIG of sysexits.h: a unit with <c>RestartPreventExitStatus=78</c> stops instead of restarting every few seconds on a setting that will not mend itself.</summary>
    public const int ExitCode = 78;
}
