using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Npgsql;
using Tollgate.Storage;
using Tollgate.Storage.Database;
using Tollgate.Storage.Retention;

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
    // Dapper caches the code it generates to bind parameters and read rows per connection string, so each of a run's
    // thousand databases, named apart, generated and JIT-compiled its own for every statement (sharing it cut the CPU
    // samples of 200 SQLite server starts by a sixth). They share one schema per store, as Dapper's comparer allows for.
    static TestDatabases() => Dapper.SqlMapper.ConnectionStringComparer = SameStoreSameSchema.Instance;

    // A test server's connections to its database. Each new one cost the cluster about 0.1 s of CPU (a fork, then its
    // caches and prepared statements warmed again), and the tests that send hundreds of requests at once grew each node's
    // pool to 60: about 1,000 of a server run's 1,560 connections. Two cores run no more than a few transactions at
    // once, and a request waits for a free connection as it would behind a busy production pool. More on a machine whose
    // cores give a node more writers: a server refuses to start on a pool its writers (two lanes each, which a test may
    // ask for) would leave too little of.
    private static readonly int MaxPoolSize = Math.Max(10, new DatabaseOptions { Provider = "postgres", WriterLanes = 2 }.MinimumPostgresPool);

    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static readonly SemaphoreSlim SqliteTemplateLock = new(1, 1);
    private static string? _template;
    private static string? _sqliteTemplate;

    // PostgreSQL templates that also hold the time partitions a server makes at its start, one per week a test clock
    // starts in (keyed by that week's Monday, in Unix ms).
    private static readonly ConcurrentDictionary<long, Lazy<Task<string>>> PartitionedTemplates = new();

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

    /// <summary>
    /// A migrated database for a server whose clock starts at <paramref name="start"/> (now, off the test clock). On
    /// PostgreSQL it is cloned from a template that already has the week partitions such a server makes as it starts (the weeks around
    /// <paramref name="start"/>, made by the server's own <see cref="TimePartitions.EnsureAsync"/>), so the server finds
    /// them there instead of running about a dozen CREATE TABLE … ATTACH PARTITION per test; the database is the same.
    /// </summary>
    public static async Task<DatabaseOptions> CreateForServerAsync(StoreKind kind, DateTimeOffset start)
    {
        if (kind == StoreKind.Sqlite)
        {
            return await CreateAsync(kind);
        }

        return new DatabaseOptions { Provider = "postgres", ConnectionString = await CloneAsync(await PartitionedTemplateAsync(start)) };
    }

    /// <summary>
    /// A PostgreSQL database as <see cref="CreateForServerAsync"/> would clone it for a server whose clock starts at
    /// <paramref name="clockStart"/> (now, off the test clock), for one server: one another test's server handed back when
    /// there is one (<see cref="ReusedDatabases"/>).
    /// </summary>
    internal static async Task<ReusedDatabases.Lease> LendForServerAsync(DateTimeOffset clockStart)
    {
        var template = await PartitionedTemplateAsync(clockStart);
        return await ReusedDatabases.LendAsync(template, () => CloneAsync(template));
    }

    private static Task<string> PartitionedTemplateAsync(DateTimeOffset start)
    {
        // tollgate_add_week_partition's weeks: Monday to Monday, counted from 1970-01-05.
        var week = Math.DivRem(start.ToUnixTimeMilliseconds() - 345_600_000L, 604_800_000L, out var rest) - (rest < 0 ? 1 : 0);
        return PartitionedTemplates.GetOrAdd(week, _ => new Lazy<Task<string>>(() => NewPartitionedTemplateAsync(start))).Value;
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

    private static async Task<string> CloneTemplateAsync() => await CloneAsync(await TemplateAsync());

    private static async Task<string> CloneAsync(string template)
    {
        var admin = await PostgresServer.AdminConnectionStringAsync();
        var name = "tg_" + Guid.NewGuid().ToString("N")[..12];
        await PostgresServer.CreateDatabaseAsync(admin, name, template);
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = MaxPoolSize }.ConnectionString;
    }

    private static async Task<string> NewPartitionedTemplateAsync(DateTimeOffset start)
    {
        var admin = await PostgresServer.AdminConnectionStringAsync();
        var name = "tg_tpl_" + Guid.NewGuid().ToString("N")[..12];
        await PostgresServer.CreateDatabaseAsync(admin, name, await TemplateAsync());
        // No pooling: a connection left open would keep the database from being a template.
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ConnectionString;
        await using var database = new PostgresDatabase(connectionString);
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await new TimePartitions(database).EnsureAsync(connection, transaction, start);
        await transaction.CommitAsync();
        return name;
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
            // Pooled while it migrates (a new connection per migration cost the cluster about 5 s of CPU in each test
            // process); the database's own data source closes them all when it is disposed, before anything clones it.
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true };
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

/// <summary>
/// Connection strings compared by store alone: every test database of a store has the same schema, so the parameter
/// and row code Dapper generated for one serves all. The stores stay apart, since Dapper binds a list differently on
/// Npgsql (an array) than elsewhere (one parameter per item).
/// </summary>
internal sealed class SameStoreSameSchema : IEqualityComparer<string>
{
    public static readonly SameStoreSameSchema Instance = new();

    public bool Equals(string? x, string? y) => x is null || y is null ? ReferenceEquals(x, y) : IsPostgres(x) == IsPostgres(y);

    public int GetHashCode(string obj) => IsPostgres(obj) ? 1 : 0;

    // Npgsql's strings name a host; Microsoft.Data.Sqlite's a data source and never a host.
    private static bool IsPostgres(string connectionString) => connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase);
}
