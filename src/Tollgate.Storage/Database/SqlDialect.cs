namespace Tollgate.Storage.Database;

/// <summary>The few places where the hand-written SQL differs between SQLite and PostgreSQL.</summary>
public sealed record SqlDialect(DatabaseProvider Provider)
{
    public static readonly SqlDialect Sqlite = new(DatabaseProvider.Sqlite);
    public static readonly SqlDialect Postgres = new(DatabaseProvider.Postgres);

    public bool IsPostgres => Provider == DatabaseProvider.Postgres;

    public string Greatest => IsPostgres ? "GREATEST" : "MAX";

    public string Least => IsPostgres ? "LEAST" : "MIN";

    /// <summary>
    /// The lower case of a text expression for comparisons without case, for every letter: SQLite's LOWER folds ASCII only
    /// ('Å' stays 'Å'), so there it is <see cref="SqliteDatabase.UnicodeLower"/>, which each connection registers; so does
    /// PostgreSQL's in a database of the C locale (as `initdb --no-locale` makes), so there it takes ICU's root collation,
    /// whatever the database's. Compare it with a value lowered by <see cref="string.ToLowerInvariant"/>. On SQLite no index
    /// serves it; on PostgreSQL the customers' e-mail index is on this expression (migration 0051).
    /// </summary>
    public string Lower(string expression) =>
        IsPostgres ? $"LOWER(({expression}) COLLATE \"und-x-icu\")" : $"{SqliteDatabase.UnicodeLower}({expression})";

    /// <summary>Case-insensitive LIKE.</summary>
    public string ILike => IsPostgres ? "ILIKE" : "LIKE";

    /// <summary>Row locks for work queues; SQLite has one writer, so it needs none.</summary>
    public string ForUpdateSkipLocked => IsPostgres ? "FOR UPDATE SKIP LOCKED" : "";

    public string ForUpdate => IsPostgres ? "FOR UPDATE" : "";

    /// <summary>The row lock an UPDATE of non-key columns takes: it leaves other transactions' foreign-key checks on the row free.</summary>
    public string ForNoKeyUpdate => IsPostgres ? "FOR NO KEY UPDATE" : "";

    /// <summary>Row locks on one table of a join, for work queues.</summary>
    public string ForUpdateSkipLockedOf(string alias) => IsPostgres ? $"FOR UPDATE OF {alias} SKIP LOCKED" : "";

    /// <summary>
    /// Takes a lock on @key until the transaction ends, if it is free, so one node at a time runs a job; SQLite has one
    /// node, so it always may. Never a session lock: behind a pooler in transaction mode the session is not Tollgate's.
    /// </summary>
    public string TryLockTransaction => IsPostgres ? "SELECT pg_try_advisory_xact_lock(@key)" : "SELECT 1";

    /// <summary>
    /// Said on a connection before a one-pass scan (an export): SQLite's 64 MB page cache would only fill with pages read
    /// once, growing the process by that much; the next opening of the pooled connection restores it.
    /// </summary>
    public string? ScanSetup => IsPostgres ? null : "PRAGMA cache_size=-2048";
    /// <summary>Membership in a list parameter: Npgsql sends a list as one array, Dapper expands it into IN (…) elsewhere.</summary>
    public string InList(string column, string parameter) => IsPostgres ? $"{column} = ANY({parameter})" : $"{column} IN {parameter}";

    /// <summary>Group-commit writers per node: SQLite has one writer whatever the setting; PostgreSQL writers each hold one connection.</summary>
    public int WriterCount(int? configured) => IsPostgres ? configured ?? DatabaseOptions.DefaultPostgresWriters : 1;

    /// <summary>Writers of bulk work besides <see cref="WriterCount"/>; SQLite has one writer for everything.</summary>
    public int BulkWriterCount(DatabaseOptions? options) => IsPostgres ? (options ?? new DatabaseOptions()).PostgresBulkWriters : 0;

    /// <summary>Whether usage_events and llm_calls are partitioned by week (migration 0043), so retention drops weeks; SQLite deletes rows.</summary>
    public bool PartitionsByTime => IsPostgres;

    /// <summary>
    /// Connections per writer, each running one batch at a time (<see cref="DatabaseOptions.WriterLanes"/>): PostgreSQL
    /// locks rows, so a second batch may run while the first commits; SQLite has one write transaction at a time.
    /// </summary>
    public int LanesPerWriter(int configured) => IsPostgres ? Math.Clamp(configured, 1, 2) : 1;

    /// <summary>Whether other nodes may write the same database, so what this node remembers of it can go stale.</summary>
    public bool SharedByNodes => IsPostgres;
}
