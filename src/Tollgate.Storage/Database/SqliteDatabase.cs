using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tollgate.Storage.Database;

/// <summary>The embedded store: one file in WAL mode, one writer at a time, for a single node.</summary>
public sealed class SqliteDatabase : TollgateDatabase
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteConstraint = 19;
    private readonly string _connectionString;

    static SqliteDatabase() => SQLitePCL.Batteries_V2.Init();

    private readonly string _synchronous;

    public SqliteDatabase(string pathOrConnectionString, string synchronous = "full")
    {
        _synchronous = synchronous.Trim().ToLowerInvariant() switch
        {
            "full" => "FULL",
            "normal" => "NORMAL",
            _ => throw new InvalidOperationException($"Tollgate:Database:SqliteSynchronous is '{synchronous}'; it must be 'full' or 'normal'."),
        };
        var builder = pathOrConnectionString.Contains('=', StringComparison.Ordinal)
            ? new SqliteConnectionStringBuilder(pathOrConnectionString)
            : new SqliteConnectionStringBuilder { DataSource = pathOrConnectionString };
        builder.ForeignKeys = true;
        builder.DefaultTimeout = 30;
        builder.Pooling = true;
        if (builder.Mode != SqliteOpenMode.Memory)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        _connectionString = builder.ToString();
        FilePath = builder.DataSource;
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // WAL lets readers run beside the one writer; the setting is stored in the file.
        connection.Execute("PRAGMA journal_mode=WAL;");
    }

    /// <summary>The SQL function <see cref="SqlDialect.Lower"/> names on SQLite: .NET's invariant lower case, for every script.</summary>
    public const string UnicodeLower = "unicode_lower";

    public string FilePath { get; }

    public override SqlDialect Dialect => SqlDialect.Sqlite;

    public override string Describe => $"sqlite ({FilePath})";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // A pooled connection must never come back inside a transaction: its settings could not be stated, and its next
        // BEGIN would fail. Whatever left one open, it is rolled back here.
        if (raw.sqlite3_get_autocommit(connection.Handle) == 0)
        {
            Check(connection, raw.sqlite3_exec(connection.Handle, "ROLLBACK"));
        }

        // Durability and cache size are per-connection settings; pooled connections may be new, so every opening states
        // them, outside any transaction (SQLite refuses to change the safety level inside one). The default 2 MB page
        // cache makes a busy writer re-read index pages through read() calls.
        Check(connection, raw.sqlite3_exec(connection.Handle, $"PRAGMA synchronous={_synchronous}; PRAGMA cache_size=-65536"));
        connection.CreateFunction<string?, string?>(UnicodeLower, text => text?.ToLowerInvariant(), isDeterministic: true);
        return connection;
    }

    private static void Check(SqliteConnection connection, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        }
    }

    public override ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        // Non-deferred: BEGIN IMMEDIATE takes the write lock up front, so two writers never deadlock on upgrade.
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override ValueTask<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        // Deferred: the snapshot starts at the first read and no write lock is ever asked for.
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    public override bool IsTransient(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    // One file on this machine: only a writer holding it too long makes it unavailable for a moment.
    public override bool IsUnavailable(Exception exception) => IsTransient(exception);

    public override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint } e
        && (e.SqliteExtendedErrorCode is 2067 or 1555); // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY

    public override Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken = default) =>
        Task.CompletedTask; // BEGIN IMMEDIATE already excludes every other writer.
}
