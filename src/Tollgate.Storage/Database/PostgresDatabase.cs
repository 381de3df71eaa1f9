using System.Data.Common;
using Dapper;
using Npgsql;

namespace Tollgate.Storage.Database;

/// <summary>
/// The scale-out store: any number of stateless nodes share one PostgreSQL. It owns its data source, and closes it when
/// disposed, unless it was handed one to borrow (<paramref name="ownsDataSource"/> false): then the data source and its
/// open connections outlive it, and the database refuses to open connections once disposed, so nothing it started can
/// write after its host has stopped.
/// </summary>
public sealed class PostgresDatabase(NpgsqlDataSource dataSource, bool ownsDataSource = true) : TollgateDatabase
{
    private volatile bool _disposed;

    /// <summary>
    /// How long a node trusts what it learnt of each host (primary, standby, down) when the connection string names
    /// several and does not say: Npgsql's default of 10 s kept nodes away from a promoted standby for up to 10 s.
    /// </summary>
    public const int DefaultHostRecheckSeconds = 2;

    /// <summary>
    /// How many statements Npgsql prepares on each connection once it has run them five times, when prepared statements
    /// are on and the connection string does not say: the reads that are not hot-path statements (the console, lists,
    /// a customer's context) were parsed and planned on every run, and a sweep of the console's pages on PostgreSQL cost
    /// the cluster 35 % less CPU with it (docs/benchmarks.md). Least recently used ones go past this number.
    /// </summary>
    public const int DefaultAutoPrepare = 64;

    public PostgresDatabase(string connectionString, bool preparedStatements = true)
        : this(NpgsqlDataSource.Create(Settle(connectionString, preparedStatements)))
    {
    }

    /// <summary>Connections the node's writers hold for good (<see cref="DatabaseOptions.PostgresWriterConnections"/>), which idle readers must leave alone.</summary>
    public int HeldByWriters { get; init; }

    /// <summary>
    /// A third of what the writers leave of the pool, at least one and at most 32 (Npgsql's default pool of 100 keeps 32).
    /// With 32 whatever the pool, a pool of 10 was all parked in idle readers after a burst of 10 reads, and every write
    /// then waited out the pool's timeout and answered 503: a reader parks its connection; it does not wait for another
    /// while it holds it.
    /// </summary>
    protected override int MaxIdleReaders =>
        field > 0 ? field : field = Math.Clamp((new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxPoolSize - HeldByWriters) / 3, 1, 32);

    public NpgsqlDataSource DataSource => dataSource;

    public override SqlDialect Dialect => SqlDialect.Postgres;

    public override string Describe
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            // Several hosts carry their own ports (Host=a:5432,b:5432); the Port setting is only for hosts without one.
            var hosts = builder.Host?.Contains(',', StringComparison.Ordinal) == true ? builder.Host : $"{builder.Host}:{builder.Port}";
            return $"postgres ({hosts}/{builder.Database})";
        }
    }

    /// <summary>
    /// The connection string Tollgate opens: the operator's, with <see cref="DefaultHostRecheckSeconds"/> when it names
    /// several hosts and sets no recheck, with Max Auto Prepare=<see cref="DefaultAutoPrepare"/> when prepared statements
    /// are on and it sets none, and with Max Auto Prepare=0 written out when they are off, which is where every connection
    /// of the data source carries that choice (see <see cref="PreparesStatements"/>).
    /// </summary>
    public static string Settle(string connectionString, bool preparedStatements = true)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var written = new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString };
        if (builder.Host?.Contains(',', StringComparison.Ordinal) == true && !written.ContainsKey("Host Recheck Seconds"))
        {
            builder.HostRecheckSeconds = DefaultHostRecheckSeconds;
        }

        if (!preparedStatements)
        {
            builder.MaxAutoPrepare = 0;
        }
        else if (!written.ContainsKey("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = DefaultAutoPrepare;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Whether statements are prepared on the server on this connection: not when its connection string writes out
    /// Max Auto Prepare=0 (Tollgate:Database:PreparedStatements=false does), because a pooler in transaction mode
    /// (PgBouncer before 1.21) runs each transaction on any server connection, where a statement prepared on another is
    /// unknown.
    /// </summary>
    public static bool PreparesStatements(DbConnection connection) =>
        connection is not NpgsqlConnection npgsql
        || !new DbConnectionStringBuilder { ConnectionString = npgsql.ConnectionString }.TryGetValue("Max Auto Prepare", out var value)
        || !string.Equals(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), "0", StringComparison.Ordinal);

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        connection.Notice += NoteUnreplicatedCommit;
        return connection;
    }

    // Connections whose last commit PostgreSQL reported as not replicated, until ConfirmDurable reads it.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NpgsqlConnection, object> Unreplicated = new();

    /// <summary>
    /// A commit that waits for the synchronous standby and is canceled (Npgsql's command timeout, pg_cancel_backend)
    /// succeeds on the primary with only a warning: "canceling wait for synchronous replication ... committed locally, but
    /// might not have been replicated". A failover then loses it, so it must not be acknowledged.
    /// </summary>
    private static void NoteUnreplicatedCommit(object sender, NpgsqlNoticeEventArgs args)
    {
        if (args.Notice is { SqlState: "01000" } notice && notice.MessageText.Contains("synchronous replication", StringComparison.Ordinal))
        {
            Unreplicated.AddOrUpdate((NpgsqlConnection)sender, notice);
        }
    }

    public override void ConfirmDurable(DbConnection connection)
    {
        if (Unreplicated.TryGetValue((NpgsqlConnection)connection, out var notice))
        {
            Unreplicated.Remove((NpgsqlConnection)connection);
            throw new CommitOutcomeUnknownException(new InvalidOperationException(
                $"PostgreSQL committed on the primary but did not confirm the synchronous standby has it: {((PostgresNotice)notice).MessageText}"));
        }
    }

    public override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(cancellationToken);

    public override async ValueTask<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        var transaction = await ((NpgsqlConnection)connection).BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", (NpgsqlConnection)connection, transaction);
        await readOnly.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }

    public override bool IsTransient(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }
        || exception is NpgsqlException { IsTransient: true } && !IsPoolExhausted(exception)
        || IsStalePlan(exception);

    /// <summary>
    /// Npgsql's pool gave no connection within its timeout (15 s). It calls that transient, but another try waits as long
    /// again: a batch retried it eight times, holding its writer's queue for two minutes, where one 503 was due.
    /// </summary>
    private static bool IsPoolExhausted(Exception exception) =>
        exception is NpgsqlException { InnerException: TimeoutException } && exception.Message.StartsWith("The connection pool has been exhausted", StringComparison.Ordinal);

    /// <summary>
    /// PostgreSQL refuses a cached plan whose result columns a schema change altered, once; Npgsql then forgets the
    /// statement, so the next attempt prepares it again.
    /// </summary>
    public override bool IsStalePlan(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.FeatureNotSupported, Routine: "RevalidateCachedQuery" };

    public override bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException e => e.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception (PgBouncer's too)
            || e.SqlState.StartsWith("53", StringComparison.Ordinal) // insufficient resources: too many connections, disk full
            || e.SqlState.StartsWith("58", StringComparison.Ordinal) // system or I/O error
            || e.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.IdleSessionTimeout
                or PostgresErrorCodes.ReadOnlySqlTransaction, // a standby, or a primary being demoted
        // Raised by Npgsql, not by the server: no host is (or is known to be) the primary, a connection could not be made
        // or broke, a timeout. The server never answered, so nothing about the statement itself was wrong.
        NpgsqlException => true,
        _ => false,
    };

    public override string? Advice(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DuplicatePreparedStatement or PostgresErrorCodes.InvalidSqlStatementName }
            ? "the server had a prepared statement this connection did not make, or lacked one it did: behind a pooler in transaction mode " +
              "(PgBouncer before 1.21) set Tollgate:Database:PreparedStatements=false"
            : null;

    public override bool CommitMayHaveHappened(Exception exception) => exception is NpgsqlException and not PostgresException;

    public override bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken = default) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@key)", new { key }, transaction, cancellationToken: cancellationToken));

    public override async ValueTask DisposeAsync()
    {
        _disposed = true;
        await base.DisposeAsync();
        if (ownsDataSource)
        {
            await dataSource.DisposeAsync();
        }
    }
}
