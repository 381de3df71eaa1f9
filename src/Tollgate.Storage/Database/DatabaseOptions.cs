namespace Tollgate.Storage.Database;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Bound from Tollgate:Database.</summary>
public sealed class DatabaseOptions
{
    public const string DefaultSqlitePath = "./data/tollgate.db";

    /// <summary>sqlite (embedded, one node) or postgres (scale-out).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>A file path or SQLite connection string, or an Npgsql connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// SQLite's durability: "full" (default) syncs the WAL on every commit, so a 2xx survives power loss; "normal" syncs
    /// at checkpoints, surviving a crash of Tollgate but not of the machine, for about twice the write throughput.
    /// </summary>
    public string SqliteSynchronous { get; set; } = "full";

    // Fewer writers make larger batches, and a batch's round trips and commit are shared by all its operations: on 2
    // cores one writer did 11,550 consumes/s against 6,986 for four (docs/benchmarks.md). Past 4 cores one writer's
    // loop, which runs every operation's code in turn, would be the limit, so each 4 cores add one.
    public static int DefaultPostgresWriters => Math.Max(1, Environment.ProcessorCount / 4);

    /// <summary>PostgreSQL only: writer connections per node, each committing its own batches (customers are split among them).</summary>
    public int? Writers { get; set; }

    /// <summary>
    /// PostgreSQL only: 1 (default) or 2. With 2, a writer starts its next batch on a second connection once the current
    /// batch's first round trip is back, instead of waiting for its commit. It pays where batches wait on round trips (one
    /// customer's requests arriving together, a database across a network): +56-65 % consumes/s under wrk on 2 cores.
    /// Where the node's CPU is the limit it costs: batches get smaller and each consume dearer, -22-27 % under the
    /// bench's own load generator on the same machine (docs/benchmarks.md, 2026-11-25).
    /// </summary>
    public int WriterLanes { get; set; } = 1;

    // A 500-call LLM batch is one large insert, run by one database backend, and its writer waits on the round trips and
    // the commit: on 2 cores one bulk writer logged 23,193 calls/s with 0.84 of a core idle, two 32,614 (2026-11-24);
    // on a host with a faster disk two left 0.27-0.31 of a core idle at 28,216-30,838 calls/s, and four 0.07-0.08 at
    // 30,166-31,724 (docs/benchmarks.md, 2026-11-28).
    public static int DefaultPostgresBulkWriters => Math.Max(4, Environment.ProcessorCount / 2);

    /// <summary>The fewest bulk writers a node runs when <see cref="BulkWriters"/> is not set and its pool is small (the default before 2026-11-28).</summary>
    private const int FewestDefaultBulkWriters = 2;

    /// <summary>
    /// PostgreSQL only: writer connections per node for bulk work (batches of LLM calls), apart from the hot path's
    /// writers, so a consume is not queued behind a large batch. One customer's LLM calls and consumes then commit on
    /// different writers: a consume that needs a row the batch holds (the LLM budget) waits for its lock, as it would
    /// for another node's batch.
    /// </summary>
    public int? BulkWriters { get; set; }

    /// <summary>
    /// PostgreSQL only: whether hot statements are prepared once per connection on the server (default true). Set false
    /// behind a pooler in transaction mode (PgBouncer before 1.21), which cannot carry them from one transaction to the next.
    /// </summary>
    public bool PreparedStatements { get; set; } = true;

    /// <summary>Connections a PostgreSQL node needs besides those its writers hold for good: its reads and its background work.</summary>
    public const int PostgresSpareConnections = 3;

    /// <summary>Connections a PostgreSQL node's writers hold for good: one a writer lane, one a bulk writer (counted as the committer counts them).</summary>
    public int PostgresWriterConnections => PostgresHotWriterConnections + PostgresBulkWriters;

    private int PostgresHotWriterConnections => SqlDialect.Postgres.WriterCount(Writers) * SqlDialect.Postgres.LanesPerWriter(WriterLanes);

    /// <summary>
    /// PostgreSQL's bulk writers: <see cref="BulkWriters"/> when set; otherwise the default, lowered to what the pool has
    /// room for (down to <see cref="FewestDefaultBulkWriters"/>), so a pool sized for the earlier default still starts.
    /// </summary>
    public int PostgresBulkWriters
    {
        get
        {
            if (BulkWriters is { } configured)
            {
                return configured;
            }

            var room = PoolSize() is { } pool ? pool - PostgresHotWriterConnections - PostgresSpareConnections : int.MaxValue;
            return Math.Max(FewestDefaultBulkWriters, Math.Min(DefaultPostgresBulkWriters, room));
        }
    }

    /// <summary>
    /// The smallest pool a PostgreSQL node works on: its writers' connections and <see cref="PostgresSpareConnections"/>
    /// more. With fewer, requests waited out the pool's timeout and a node of 2 answered nothing (a trial at pools of 1 to 5).
    /// </summary>
    public int MinimumPostgresPool => PostgresWriterConnections + PostgresSpareConnections;

    /// <summary>Why the connection string's pool is too small for this node (PostgreSQL, pooling on), or null.</summary>
    public string? PoolTooSmall() =>
        PoolSize() is not { } pool || pool >= MinimumPostgresPool ? null
            : $"Tollgate:Database:ConnectionString's Maximum Pool Size is {pool}, below the {MinimumPostgresPool} this node needs: "
                + $"{SqlDialect.Postgres.WriterCount(Writers)} writer(s) × {SqlDialect.Postgres.LanesPerWriter(WriterLanes)} lane(s) and "
                + $"{PostgresBulkWriters} bulk writer(s) hold one each for good, and reads and background work need "
                + $"{PostgresSpareConnections} more. Raise Maximum Pool Size, or lower Tollgate:Database:Writers or BulkWriters.";

    /// <summary>Why Npgsql refuses the connection string (an unknown key, a value of the wrong type), or null.</summary>
    public string? ConnectionStringError()
    {
        if (!NamesPostgres || string.IsNullOrWhiteSpace(ConnectionString))
        {
            return null; // an unknown provider is named by the provider's own check
        }

        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            return $"Tollgate:Database:ConnectionString is not a PostgreSQL connection string: {e.Message}";
        }
    }

    /// <summary>The connection string's Maximum Pool Size (PostgreSQL, pooling on), or null.</summary>
    private int? PoolSize()
    {
        try
        {
            if (ParsedProvider != DatabaseProvider.Postgres || string.IsNullOrWhiteSpace(ConnectionString))
            {
                return null;
            }

            var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            return builder.Pooling ? builder.MaxPoolSize : null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null; // the provider's and the connection string's own checks name what is wrong with them
        }
    }

    public const int DefaultQueueCapacity = 4096;

    /// <summary>
    /// Hot-path operations (consume, reserve, settle, usage and LLM logging) one node holds waiting to commit or
    /// committing; past it they are refused with 503 overloaded, so latency and memory stay bounded under overload.
    /// </summary>
    public int QueueCapacity { get; set; } = DefaultQueueCapacity;

    private bool NamesPostgres => Provider.Trim().ToLowerInvariant() is "postgres" or "postgresql" or "npgsql";

    public DatabaseProvider ParsedProvider => Provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        _ when NamesPostgres => DatabaseProvider.Postgres,
        _ => throw new InvalidOperationException(
            $"Tollgate:Database:Provider is '{Provider}'; it must be 'sqlite' or 'postgres'."),
    };
}
