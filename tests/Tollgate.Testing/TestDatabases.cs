using Npgsql;
using Tollgate.Storage;
using Tollgate.Storage.Database;

namespace Tollgate.Testing;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>A fresh, isolated database per test: a temp SQLite file, or a new PostgreSQL database cloned from a migrated template.</summary>
public static class TestDatabases
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _template;

    public static async Task<DatabaseOptions> CreateAsync(StoreKind kind, bool migrated = true)
    {
        if (kind == StoreKind.Sqlite)
        {
            var dir = Path.Combine(Path.GetTempPath(), "tollgate-tests");
            Directory.CreateDirectory(dir);
            var options = new DatabaseOptions { Provider = "sqlite", ConnectionString = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db") };
            if (migrated)
            {
                await new Migrator(StorageServices.Open(options), TimeProvider.System).MigrateAsync();
            }

            return options;
        }

        var connectionString = migrated ? await CloneTemplateAsync() : await PostgresServer.CreateDatabaseAsync();
        return new DatabaseOptions { Provider = "postgres", ConnectionString = connectionString };
    }

    public static async Task<TollgateDatabase> OpenAsync(StoreKind kind, bool migrated = true) =>
        StorageServices.Open(await CreateAsync(kind, migrated));

    private static async Task<string> CloneTemplateAsync()
    {
        var template = await TemplateAsync();
        var admin = await PostgresServer.AdminConnectionStringAsync();
        var name = "tg_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {template}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 60 }.ConnectionString;
    }

    private static async Task<string> TemplateAsync()
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_template is not null)
            {
                return _template;
            }

            var connectionString = await PostgresServer.CreateDatabaseAsync();
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
            await using (var database = new PostgresDatabase(builder.ConnectionString))
            {
                await new Migrator(database, TimeProvider.System).MigrateAsync();
            }

            _template = builder.Database!;
            return _template;
        }
        finally
        {
            TemplateLock.Release();
        }
    }
}
