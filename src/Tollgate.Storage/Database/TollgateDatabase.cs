using System.Data.Common;
using Dapper;

namespace Tollgate.Storage.Database;

/// <summary>Opens connections and runs transactions for one store; the dialect says which SQL variant to use.</summary>
public abstract class TollgateDatabase : IAsyncDisposable
{
    // Columns are snake_case, row properties PascalCase; Dapper's one switch for that is process-wide.
    static TollgateDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public abstract SqlDialect Dialect { get; }

    public abstract string Describe { get; }

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>Begins a transaction that may write; on SQLite it takes the write lock at once to avoid upgrade deadlocks.</summary>
    public abstract ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default);

    /// <summary>True for errors a retry of the whole transaction can cure: deadlocks, serialization failures, a busy file.</summary>
    public abstract bool IsTransient(Exception exception);

    /// <summary>True when the error is a unique-constraint violation.</summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>Serializes writers that must not interleave (catalog apply, migrations) across nodes.</summary>
    public abstract Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken = default);

    private const int MaxIdleReaders = 32;
    private readonly System.Collections.Concurrent.ConcurrentBag<StatementCache> _readers = [];

    /// <summary>
    /// Runs a read on a long-lived connection whose statements stay prepared, for reads on the hot path (checks);
    /// the connection goes back to a small pool afterwards.
    /// </summary>
    public async Task<T> ReadPreparedAsync<T>(Func<SqlScope, Task<T>> work, CancellationToken cancellationToken = default)
    {
        if (!_readers.TryTake(out var statements))
        {
            statements = new StatementCache(await OpenAsync(cancellationToken));
        }

        T result;
        try
        {
            result = await work(new SqlScope(statements, null, cancellationToken));
        }
        catch
        {
            await statements.DisposeAsync();
            throw;
        }

        if (_readers.Count < MaxIdleReaders)
        {
            _readers.Add(statements);
        }
        else
        {
            await statements.DisposeAsync();
        }

        return result;
    }

    public virtual async ValueTask DisposeAsync()
    {
        while (_readers.TryTake(out var statements))
        {
            await statements.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await work(connection);
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction and commits it, retrying transient failures.</summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await BeginWriteAsync(connection, cancellationToken);
            try
            {
                var result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (Exception e) when (attempt < 5 && IsTransient(e))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt * attempt), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and rolls it back: a dry run that takes the same locks and
    /// runs the same statements as the real write, so its answer is what the write would do, and nothing is kept.
    /// </summary>
    public async Task<T> RehearseAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        try
        {
            return await work(connection, transaction);
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, t) =>
        {
            await work(c, t);
            return true;
        }, cancellationToken);
}
