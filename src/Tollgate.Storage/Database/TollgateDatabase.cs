using System.Data.Common;
using Dapper;

namespace Tollgate.Storage.Database;

/// <summary>Opens connections and runs transactions for one store; the dialect says which SQL variant to use.</summary>
public abstract partial class TollgateDatabase : IAsyncDisposable
{
    // Columns are snake_case, row properties PascalCase; Dapper's one switch for that is process-wide.
    static TollgateDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public abstract SqlDialect Dialect { get; }

    public abstract string Describe { get; }

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>Begins a transaction that may write; on SQLite it takes the write lock at once to avoid upgrade deadlocks.</summary>
    public abstract ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default);

    /// <summary>
    /// Begins a transaction that only reads, on one snapshot of the database: on SQLite a deferred BEGIN, which takes no
    /// write lock (in WAL mode a reader neither waits for the writer nor holds it up); on PostgreSQL REPEATABLE READ, READ ONLY.
    /// </summary>
    public abstract ValueTask<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken = default);

    /// <summary>True for errors a retry of the whole transaction can cure: deadlocks, serialization failures, a busy file.</summary>
    public abstract bool IsTransient(Exception exception);

    /// <summary>
    /// A statement refused, without running, because the plan prepared for it no longer fits the schema (another node's
    /// migration changed the columns it returns). Only PostgreSQL keeps plans across statements.
    /// </summary>
    public virtual bool IsStalePlan(Exception exception) => false;

    /// <summary>
    /// True when the database cannot serve for now: it cannot be reached, no host is the primary, it is read-only or in
    /// recovery, shutting down, or dropped the connection. A retry later can succeed (a restart, a failover), so callers
    /// answer 503 rather than 500.
    /// </summary>
    public abstract bool IsUnavailable(Exception exception);

    /// <summary>
    /// The database could not be reached or refused for now (a restart, a failover, a read-only or recovering host, a full
    /// pool): retryable, not a bug. The cause may be wrapped, or be one of several (one per host tried).
    /// </summary>
    public bool IsOutage(Exception exception) => exception switch
    {
        DbException { IsTransient: true } => true,
        _ when IsUnavailable(exception) || IsTransient(exception) => true,
        AggregateException several => several.InnerExceptions.Any(IsOutage),
        { InnerException: { } inner } => IsOutage(inner),
        _ => false,
    };

    /// <summary>What an operator should change when <paramref name="exception"/> comes from a setting rather than from a bug; null otherwise.</summary>
    public virtual string? Advice(Exception exception) => null;

    /// <summary>True when a commit failed without the server's answer, so it may have happened: it must not be run again.</summary>
    public virtual bool CommitMayHaveHappened(Exception exception) => false;

    /// <summary>
    /// Called after each commit on <paramref name="connection"/>; throws <see cref="CommitOutcomeUnknownException"/> when
    /// the server said the commit is not as durable as the store promises (PostgreSQL: committed on the primary, but the
    /// wait for its synchronous standby was canceled), so no answer says 2xx for it.
    /// </summary>
    public virtual void ConfirmDurable(DbConnection connection)
    {
    }

    /// <summary>True when the error is a unique-constraint violation.</summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>Serializes writers that must not interleave (catalog apply, migrations) across nodes.</summary>
    public abstract Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many idle readers (<see cref="ReadPreparedAsync{T}"/>) keep their connections. Each one holds a connection out
    /// of the store's pool, so the number must leave the pool connections for everything else.
    /// </summary>
    protected virtual int MaxIdleReaders => 32;

    private readonly System.Collections.Concurrent.ConcurrentBag<StatementCache> _readers = [];

    // Idle readers parked or about to be. A read reserves its place before it parks, so two reads that finish together
    // cannot both see room for one and park two: in a pool of 2 that parked both connections, and the reads still
    // waiting on the pool timed out (CI, stop 59).
    private int _parked;

    /// <summary>Idle readers holding connections now, never more than <see cref="MaxIdleReaders"/>.</summary>
    internal int IdleReaders => _readers.Count;

    /// <summary>
    /// Runs a read on a long-lived connection whose statements stay prepared, for reads on the hot path (checks);
    /// the connection goes back to a small pool afterwards. A pooled connection the database dropped (a restart, a
    /// failover) fails once: the read runs again on a new connection, and the other pooled ones, as dead, are closed.
    /// </summary>
    public async Task<T> ReadPreparedAsync<T>(Func<SqlScope, Task<T>> work, CancellationToken cancellationToken = default)
    {
        var reused = _readers.TryTake(out var statements);
        if (reused)
        {
            Interlocked.Decrement(ref _parked);
        }

        statements ??= new StatementCache(await OpenAsync(cancellationToken));
        T result;
        try
        {
            result = await work(new SqlScope(statements, null, cancellationToken));
        }
        catch (Exception e) when (reused && IsUnavailable(e))
        {
            await statements.DisposeAsync();
            await CloseReadersAsync();
            return await ReadPreparedAsync(work, cancellationToken);
        }
        catch
        {
            await statements.DisposeAsync();
            throw;
        }

        if (Interlocked.Increment(ref _parked) <= MaxIdleReaders)
        {
            _readers.Add(statements);
        }
        else
        {
            Interlocked.Decrement(ref _parked);
            await statements.DisposeAsync();
        }

        return result;
    }

    private async Task CloseReadersAsync()
    {
        while (_readers.TryTake(out var statements))
        {
            Interlocked.Decrement(ref _parked);
            await statements.DisposeAsync();
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await CloseReadersAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs reads on one connection (once more if a plan was stale, see <see cref="AgainIfPlanStaleAsync"/>).</summary>
    public Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken = default) =>
        AgainIfPlanStaleAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await work(connection);
        });

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction and commits it, retrying transient failures. A commit whose
    /// answer was lost (the connection broke while it was sent) is not retried: it may have happened, and a second run
    /// would do the work twice. The flow's statement for every write (<see cref="AlsoInEveryWrite"/>) runs after the work.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await WriteOnceAsync(work, mayRetry: attempt < 5, cancellationToken) is (true, var result))
            {
                return result!;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt * attempt), cancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and rolls it back: a dry run that takes the same locks and
    /// runs the same statements as the real write, so its answer is what the write would do, and nothing is kept.
    /// </summary>
    public Task<T> RehearseAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default) =>
        RolledBackAsync(BeginWriteAsync, work, cancellationToken);

    /// <summary>
    /// Runs reads that must agree with each other (a subscription and what it was billed) in one read-only transaction
    /// (<see cref="BeginReadAsync"/>), rolled back at the end: the same statements a write runs, without its locks.
    /// </summary>
    public Task<T> ReadSnapshotAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default) =>
        RolledBackAsync(BeginReadAsync, work, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in a transaction <paramref name="begin"/> opens, and rolls it back.</summary>
    private Task<T> RolledBackAsync<T>(Func<DbConnection, CancellationToken, ValueTask<DbTransaction>> begin,
        Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        AgainIfPlanStaleAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await begin(connection, cancellationToken);
            try
            {
                return await work(connection, transaction);
            }
            finally
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
        });

    /// <summary>
    /// Runs <paramref name="once"/>, and once more when a statement was refused because its prepared plan went stale
    /// (<see cref="IsStalePlan"/>): that statement ran nothing, and nothing here is kept, so the second run is the first
    /// that counts, and prepares the statement again. <see cref="WriteAsync{T}"/> retries it as a transient failure.
    /// </summary>
    private async Task<T> AgainIfPlanStaleAsync<T>(Func<Task<T>> once)
    {
        try
        {
            return await once();
        }
        catch (Exception e) when (IsStalePlan(e))
        {
            return await once();
        }
    }

    /// <summary>
    /// One attempt; (false, _) when it failed in a way another attempt can cure. Disposing the transaction rolls it back
    /// (an explicit rollback would throw on a connection the failure broke, hiding the failure).
    /// </summary>
    private async Task<(bool Done, T? Result)> WriteOnceAsync<T>(
        Func<DbConnection, DbTransaction, Task<T>> work, bool mayRetry, CancellationToken cancellationToken)
    {
        var flow = FlowStatementNow;
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        T result;
        try
        {
            result = await work(connection, transaction);
            if (flow is not null)
            {
                await flow.RunAsync(connection, transaction, cancellationToken);
            }
        }
        catch (Exception e) when (mayRetry && IsTransient(e))
        {
            return (false, default);
        }

        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (mayRetry && IsTransient(e) && !CommitMayHaveHappened(e))
        {
            return (false, default);
        }

        ConfirmDurable(connection);
        return (true, result);
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await work(c, t);
            return true;
        }, cancellationToken);
}
