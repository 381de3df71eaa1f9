using Microsoft.Data.Sqlite;
using Npgsql;
using Tollgate.Storage;
using Tollgate.Storage.Database;

namespace Tollgate.Testing;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh, isolated database per test: a temp SQLite file, or a new PostgreSQL database. A migrated one is a copy of a
/// template migrated once per test process, because running every migration per test was a large share of the run.
/// </summary>
public static class TestDatabases
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static readonly SemaphoreSlim SqliteTemplateLock = new(1, 1);
    private static string? _template;
    private static string? _sqliteTemplate;

    // One folder per test process, removed when the process ends: a run makes over a thousand databases.
    private static readonly Lazy<string> SqliteDirectory = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file still being written as the process ends; the OS's temp cleanup takes it.
            }
        };
        return dir;
    });

    public static async Task<DatabaseOptions> CreateAsync(StoreKind kind, bool migrated = true)
    {
        if (kind == StoreKind.Sqlite)
        {
            var dir = SqliteDirectory.Value;
            var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db");
            if (migrated)
            {
                File.Copy(await SqliteTemplateAsync(dir), path);
            }

            return new DatabaseOptions { Provider = "sqlite", ConnectionString = path };
        }

        var connectionString = migrated ? await CloneTemplateAsync() : await PostgresServer.CreateDatabaseAsync();
        return new DatabaseOptions { Provider = "postgres", ConnectionString = connectionString };
    }

    public static async Task<TollgateDatabase> OpenAsync(StoreKind kind, bool migrated = true) =>
        StorageServices.Open(await CreateAsync(kind, migrated));

    private static async Task<string> SqliteTemplateAsync(string dir)
    {
        await SqliteTemplateLock.WaitAsync();
        try
        {
            if (_sqliteTemplate is not null)
            {
                return _sqliteTemplate;
            }

            var path = Path.Combine(dir, "template-" + Guid.NewGuid().ToString("N") + ".db");
            await using (var database = StorageServices.Open(new DatabaseOptions { Provider = "sqlite", ConnectionString = path }))
            {
                await new Migrator(database, TimeProvider.System).MigrateAsync();
            }

            // Everything into the main file, and no pooled handle left open, so a plain file copy is the whole database.
            await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                await checkpoint.ExecuteNonQueryAsync();
            }

            SqliteConnection.ClearAllPools();
            _sqliteTemplate = path;
            return path;
        }
        finally
        {
            SqliteTemplateLock.Release();
        }
    }

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
