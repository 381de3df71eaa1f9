using Tollgate.Testing;

namespace Tollgate.Server.Tests.Cli;

/// <summary>llm prices import, run as a real process from the directory the user is in.</summary>
public abstract class LlmPricesCliContract : ApiContract
{
    private Task<CliResult> RunAsync(string connectionString, string directory, params string[] args) =>
        CliProcess.RunAsync(CliProcess.Store(Kind, connectionString), directory, args);

    [Fact]
    public async Task ImportReadsARelativePathFromTheCurrentDirectoryAndPrintsWhatChangedWhatWasSkippedAndOnStderrWhatWasHeldBack()
    {
        var db = (await TestDatabases.CreateAsync(Kind, migrated: false)).ConnectionString!;
        var fixtures = Path.Combine(Json.RepoRoot(), "tests", "Tollgate.Server.Tests", "Llm", "Fixtures");

        var first = await RunAsync(db, fixtures, "llm", "prices", "import", "litellm-trimmed.json", "--effective-from", "2026-01-01");
        var again = await RunAsync(db, fixtures, "llm", "prices", "import", "litellm-trimmed.json", "--effective-from", "2026-01-01");
        var missing = await RunAsync(db, fixtures, "llm", "prices", "import", "no-such-table.json");
        var scratch = Directory.CreateTempSubdirectory("tollgate-cli-").FullName;
        await File.WriteAllTextAsync(Path.Combine(scratch, "bad.json"),
            """{"gpt-4o": {"input_cost_per_token": "x"}, "fine-model": {"input_cost_per_token": 1e-06}}""");
        var heldBack = await RunAsync(db, scratch, "llm", "prices", "import", "bad.json", "--effective-from", "2026-02-01");

        Assert.Equal(0, first.Exit);
        Assert.StartsWith("23 imported, 5 unchanged, 9 skipped (effective from 2026-01-01T00:00:00", first.Out, StringComparison.Ordinal);
        Assert.Contains("  skipped per_second: 1", first.Out, StringComparison.Ordinal);
        Assert.Contains("  skipped above_sanity_bound: 2", first.Out, StringComparison.Ordinal);
        Assert.Contains("  wandb/openai/gpt-oss-120b: input_cost_per_token $15000 per 1M tokens", first.Out, StringComparison.Ordinal);
        Assert.StartsWith("0 imported, 28 unchanged, 9 skipped", again.Out, StringComparison.Ordinal);
        // The rest imports and the run succeeds; the entry whose update was held back is named where a cron job looks.
        Assert.Equal(0, heldBack.Exit);
        Assert.StartsWith("1 imported, 0 unchanged, 1 skipped", heldBack.Out, StringComparison.Ordinal);
        Assert.Equal("held back: gpt-4o: input_cost_per_token: must be a number; not imported, so the model keeps any earlier price (or stays unpriced)",
            heldBack.Err.Trim());
        Assert.Equal(2, missing.Exit);
        Assert.Contains(Path.Combine(fixtures, "no-such-table.json"), missing.Err, StringComparison.Ordinal);
    }
}

public sealed class SqliteLlmPricesCliTests : LlmPricesCliContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresLlmPricesCliTests : LlmPricesCliContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
