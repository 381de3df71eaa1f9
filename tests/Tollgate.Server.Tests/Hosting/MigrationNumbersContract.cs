using Tollgate.Core.Time;
using Tollgate.Storage;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>What the start log says about migrations: how many were applied and the schema version they reach agree.</summary>
public abstract class MigrationNumbersContract : ApiContract
{
    [Fact]
    public async Task AFreshDatabaseAppliesAsManyMigrationsAsTheSchemaVersionItReaches()
    {
        var options = await TestDatabases.CreateAsync(Kind, migrated: false);

        var report = await new Migrator(StorageServices.Open(options), new ManualClock(TollgateApp.DefaultStart)).MigrateAsync();

        Assert.Equal(report.SchemaVersion, report.Applied.Count);
        Assert.EndsWith($"schema version is now {report.Applied.Count}.", report.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void MigrationsAreNumberedFromOneWithoutAGapAndAlikeInBothDialects()
    {
        var mine = Migrator.Load(Kind == StoreKind.Sqlite ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres);
        var other = Migrator.Load(Kind == StoreKind.Sqlite ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite);

        Assert.Equal(Enumerable.Range(1, mine.Count), mine.Select(m => m.Version));
        Assert.Equal(other.Select(m => $"{m.Version:D4}_{m.Name}"), mine.Select(m => $"{m.Version:D4}_{m.Name}"));
    }
}

public sealed class SqliteMigrationNumbersTests : MigrationNumbersContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresMigrationNumbersTests : MigrationNumbersContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
