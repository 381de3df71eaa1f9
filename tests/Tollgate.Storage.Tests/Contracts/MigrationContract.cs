using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

public abstract class MigrationContract : StoreContract
{
    [Fact]
    public async Task FirstRunAppliesEveryMigrationAndSecondRunAppliesNothing()
    {
        var database = await FreshDatabaseAsync(migrated: false);
        var expected = Migrator.Load(database.Dialect.Provider);

        var first = await new Migrator(database, Clock).MigrateAsync();
        var second = await new Migrator(database, Clock).MigrateAsync();

        Assert.Equal(expected.Select(m => m.Version), first.Applied.Select(m => m.Version));
        Assert.Empty(second.Applied);
        Assert.Equal(expected[^1].Version, second.SchemaVersion);
        Assert.StartsWith("Database schema is up to date", second.Describe(), StringComparison.Ordinal);
        Assert.Equal(expected.Count, await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM schema_migrations")));
    }

    [Fact]
    public async Task MigrationsRacingFromSeveralNodesApplyEachVersionOnce()
    {
        var options = await TestDatabases.CreateAsync(Kind, migrated: false);

        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => new Migrator(StorageServices.Open(options), Clock).MigrateAsync())));

        var database = StorageServices.Open(options);
        Assert.Equal(Migrator.Load(database.Dialect.Provider).Count, reports.Sum(r => r.Applied.Count));
        Assert.Equal(Migrator.Load(database.Dialect.Provider).Count,
            await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM schema_migrations")));
    }

    [Fact]
    public async Task AnAppliedMigrationThatWasEditedStopsTheStart()
    {
        var database = await FreshDatabaseAsync();
        await database.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", transaction: tx));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new Migrator(database, Clock).MigrateAsync());

        Assert.Contains("was changed after it was applied", error.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteMigrationTests : MigrationContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresMigrationTests : MigrationContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
