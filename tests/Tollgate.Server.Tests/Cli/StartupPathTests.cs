using Tollgate.Testing;

namespace Tollgate.Server.Tests.Cli;

/// <summary>Paths as a new user types them: relative to the shell's directory, also under `dotnet run`; a wrong one is one clear line.</summary>
public sealed class StartupPathTests
{
    /// <summary>Runs the server like `dotnet run` does: in another working directory, with the shell's PWD kept.</summary>
    private static Task<CliResult> RunAsync(string workingDirectory, string shellDirectory, params string[] args) =>
        CliProcess.RunAsync(new Dictionary<string, string>
        {
            ["PWD"] = shellDirectory,
            ["Tollgate__Database__ConnectionString"] = Path.Combine(Path.GetTempPath(), $"tollgate-paths-{Guid.NewGuid():N}.db"),
        }, workingDirectory, args);

    [Fact]
    public async Task CatalogApplyResolvesARelativePathAgainstTheShellsDirectoryUnderDotnetRun()
    {
        var projectDirectory = Directory.CreateTempSubdirectory("tollgate-project-").FullName;

        var result = await RunAsync(projectDirectory, Json.RepoRoot(), "catalog", "apply", "catalogs/data-api.json");

        Assert.True(result.Exit == 0, result.Out + result.Err);
        Assert.Contains("created", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingRelativeSeedFileStopsTheStartWithOneClearLineAndNoStackTrace()
    {
        var here = Directory.CreateTempSubdirectory("tollgate-shell-").FullName;

        var result = await RunAsync(here, here, "--Tollgate:Catalog:SeedFile=catalogs/missing.json", "--urls", "http://127.0.0.1:0");

        Assert.Equal(78, result.Exit);
        Assert.Contains($"Tollgate:Catalog:SeedFile names 'catalogs/missing.json', which does not exist (looked for {Path.Combine(here, "catalogs", "missing.json")})",
            result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Out + result.Err, StringComparison.Ordinal);
    }
}
