using Tollgate.Testing;

namespace Tollgate.Server.Tests.Cli;

/// <summary>The verbs run as a real process, configured the way an operator would: by environment variables.</summary>
public abstract class CliContract : ApiContract
{
    private Task<CliResult> RunAsync(string connectionString, params string[] args) =>
        CliProcess.RunAsync(CliProcess.Store(Kind, connectionString), null, args);

    [Fact]
    public async Task MigrateAppliesOnceThenSaysTheSchemaIsUpToDate()
    {
        var db = (await TestDatabases.CreateAsync(Kind, migrated: false)).ConnectionString!;

        var first = await RunAsync(db, "migrate");
        var second = await RunAsync(db, "migrate");

        Assert.Equal(0, first.Exit);
        var migrations = Storage.Database.Migrator.Load(Kind == StoreKind.Sqlite ? Storage.Database.DatabaseProvider.Sqlite : Storage.Database.DatabaseProvider.Postgres);
        Assert.Contains($"Applied {migrations.Count} migration(s)", first.Out, StringComparison.Ordinal);
        Assert.Contains("up to date", second.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigurationFlagsOnTheCommandLineOverrideTheEnvironmentAsTheyDoForServe()
    {
        var db = (await TestDatabases.CreateAsync(Kind, migrated: false)).ConnectionString!;

        // The environment names a database that cannot be opened; the flag names the real one and wins.
        var result = await RunAsync(Kind == StoreKind.Sqlite ? "/nonexistent/dir/x.db" : "Host=127.0.0.1;Port=1;Database=none",
            "migrate", $"--Tollgate:Database:ConnectionString={db}");

        Assert.Equal(0, result.Exit);
        Assert.Contains("migration(s)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresWithoutAConnectionStringSaysSo()
    {
        var result = await RunAsync("", "migrate", "--Tollgate:Database:Provider=postgres");

        Assert.NotEqual(0, result.Exit);
        Assert.Contains("Tollgate:Database:ConnectionString is required for postgres", result.Out + result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogApplyThenExportRoundTrips()
    {
        var db = (await TestDatabases.CreateAsync(Kind, migrated: false)).ConnectionString!;
        var file = Path.Combine(Json.RepoRoot(), "catalogs", "data-api.json");

        var applied = await RunAsync(db, "catalog", "apply", file);
        var again = await RunAsync(db, "catalog", "apply", file);
        var exported = await RunAsync(db, "catalog", "export");

        Assert.Equal(0, applied.Exit);
        Assert.Contains("plan pro: created with version 1", applied.Out, StringComparison.Ordinal);
        Assert.Contains("No changes", again.Out, StringComparison.Ordinal);
        Assert.Equal("data_retention_days", Json.Parse(exported.Out)["features"]![3]!["code"].Value<string>());
    }

    [Fact]
    public async Task CatalogApplyWithDryRunPrintsWhatWouldChangeAndWritesNothing()
    {
        var db = (await TestDatabases.CreateAsync(Kind, migrated: false)).ConnectionString!;
        var file = Path.Combine(Json.RepoRoot(), "catalogs", "data-api.json");
        await RunAsync(db, "migrate");

        var rehearsed = await RunAsync(db, "catalog", "apply", file, "--dry-run");
        var exported = await RunAsync(db, "catalog", "export");
        var applied = await RunAsync(db, "catalog", "apply", file);

        Assert.Equal(0, rehearsed.Exit);
        Assert.Contains("Dry run", rehearsed.Out, StringComparison.Ordinal);
        Assert.Contains("plan pro: created with version 1", rehearsed.Out, StringComparison.Ordinal);
        Assert.Empty(Json.Parse(exported.Out)["plans"]!.AsArray());
        Assert.Contains("plan pro: created with version 1", applied.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogApplyOfAnInvalidFileListsEveryProblemAndExitsNonZero()
    {
        var db = (await TestDatabases.CreateAsync(Kind, migrated: false)).ConnectionString!;
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"features": [], "plans": [{"code": "x", "name": "X", "prices": [{"billing_period": "daily", "price_cents": -5}]}]}""");

        var result = await RunAsync(db, "catalog", "apply", file);

        Assert.Equal(1, result.Exit);
        Assert.Contains("plans[0].prices[0].billing_period: must be monthly or yearly", result.Err, StringComparison.Ordinal);
        Assert.Contains("plans[0].prices[0].price_cents: must be >= 0", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreatePrintsAKeyOnceThatTheServerAccepts()
    {
        var db = (await TestDatabases.CreateAsync(Kind, migrated: false)).ConnectionString!;

        var created = await RunAsync(db, "keys", "create", "--role", "admin", "--name", "ops");
        await using var app = await TollgateApp.StartAsync(Kind, connectionString: db);
        var response = await app.WithKey(created.Out.Trim()).GetAsync("/v1/admin/catalog");
        var refused = await RunAsync(db, "keys", "create", "--role", "owner", "--name", "x");

        Assert.Equal(0, created.Exit);
        Assert.StartsWith("tg_admin_", created.Out, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(0, refused.Exit);
    }
}

public sealed class SqliteCliTests : CliContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCliTests : CliContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
