using System.Data;
using System.Data.Common;

namespace Tollgate.Storage.Database;

/// <summary>
/// One transaction shared by a batch of operations. Work that aggregates across the batch (such as the daily usage
/// rollup) is collected in its <see cref="IBatchAggregate"/> and written once, in the same transaction, just before the commit.
/// </summary>
public sealed class BatchScope(StatementCache statements, DbTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    : SqlScope(statements, transaction, cancellationToken)
{
    private readonly List<Action> _afterCommit = [];

    private readonly Dictionary<Type, IBatchAggregate> _aggregates = [];

    private Dictionary<object, object?>? _claimed;

    private readonly List<(string Sql, (string Name, object Value)[] Parameters)> _held = [];

    /// <summary>
    /// Whether writes now wait for the commit's round trip (<see cref="ArrayCommand.WriteRowsAsync"/>): while the aggregates
    /// that write at the commit flush, where round trips cost (PostgreSQL).
    /// </summary>
    internal bool HoldsWrites { get; private set; }

    internal void Hold(string sql, (string Name, object Value)[] parameters) => _held.Add((sql, parameters));

    /// <summary>A statement that is read must not run while writes wait for the commit: it would run before them, out of their order.</summary>
    internal override void EnsureNothingHeld()
    {
        if (HoldsWrites)
        {
            throw new InvalidOperationException("An aggregate that writes at the commit ran a statement whose answer it reads.");
        }
    }

    /// <summary>The current operation's first statement, already run with the batch's others; taken by the operation's first RowAsync.</summary>
    internal PrefetchedRow? Prefetched { get; set; }

    /// <summary>
    /// Whether later operations' planned statements already ran, where they lock rows (PostgreSQL): the rows of the
    /// customers after the current operation's are taken.
    /// </summary>
    internal bool LaterRowsTaken { get; set; }

    /// <summary>
    /// Said by an operation whose planned statement found its context stale, before its ordinary path takes rows. Where
    /// the customers after it already hold their rows in this transaction, taking its own now would break the batch's
    /// (customer, feature) order, the reverse of another node's batch that took them in order: the batch is rolled back and
    /// run again with this operation unplanned, so it takes its rows in its turn.
    /// </summary>
    public void BeforeUnplannedTakes()
    {
        if (LaterRowsTaken)
        {
            throw new UnplannedTakeException();
        }
    }

    public override Task<T?> RowAsync<T>(Statement statement, Func<IRow, T> read, params object?[] values) where T : default
    {
        if (Prefetched is { } prefetched && ReferenceEquals(prefetched.Statement, statement))
        {
            Prefetched = prefetched.Next;
            return Task.FromResult(prefetched.Row is { } row ? read(new ValuesRow(row)) : default);
        }

        return base.RowAsync(statement, read, values);
    }

    /// <summary>The instant the whole batch decides at.</summary>
    public DateTimeOffset Now => now;

    public long NowMs => now.ToUnixTimeMilliseconds();

    public void AfterCommit(Action action) => _afterCommit.Add(action);

    /// <summary>Keeps what a batch claim (run before any operation's work) came to, for its operation to <see cref="Recall"/>.</summary>
    public void Remember(object claim, object? result) => (_claimed ??= [])[claim] = result;

    /// <summary>
    /// What this transaction's claim equal to <paramref name="claim"/> came to, if the batch ran one; once, since a second
    /// operation with the same claim in the batch must claim it again, after the first one's work.
    /// </summary>
    public bool Recall(object claim, out object? result)
    {
        result = null;
        return _claimed?.Remove(claim, out result) == true;
    }

    /// <summary>One aggregate of its kind per batch, written (by <see cref="IBatchAggregate.FlushAsync"/>) just before the commit.</summary>
    public T Aggregate<T>() where T : class, IBatchAggregate, new()
    {
        if (!_aggregates.TryGetValue(typeof(T), out var aggregate))
        {
            _aggregates[typeof(T)] = aggregate = new T();
        }

        return (T)aggregate;
    }

    internal async Task FlushAsync()
    {
        // In one fixed order, so two batches writing shared rollup rows lock them in the same order on PostgreSQL: counters
        // first, as an operation that runs in the batch takes its counters before the flush takes its rollup rows. Those
        // that write at the commit come last, since their writes run after everything else's.
        foreach (var aggregate in _aggregates.OrderBy(a => a.Value.WritesCounters ? 0 : a.Value.WritesAtCommit ? 2 : 1)
            .ThenBy(a => a.Key.FullName, StringComparer.Ordinal).Select(a => a.Value))
        {
            HoldsWrites = aggregate.WritesAtCommit && BatchesRows;
            await aggregate.FlushAsync(this);
        }

        HoldsWrites = false;
    }

    /// <summary>Commits, with the writes held for the commit in the same round trip.</summary>
    internal Task CommitAsync() => Statements.CommitAsync(Transaction!, _held, CancellationToken);

    internal void RunAfterCommit()
    {
        foreach (var action in _afterCommit)
        {
            action();
        }
    }
}

/// <summary>Work a batch's operations add up and write once, in the batch's transaction, before it commits.</summary>
public interface IBatchAggregate
{
    Task FlushAsync(BatchScope scope);

    /// <summary>Whether it writes counter rows (<c>usage_counters</c>): those flush before rollups.</summary>
    bool WritesCounters => false;

    /// <summary>
    /// Whether its writes only add to rows nobody reads in the batch (rollups), and go through
    /// <see cref="ArrayCommand.WriteRowsAsync"/>: on PostgreSQL they then travel with the COMMIT, a round trip saved.
    /// It may not run a statement whose answer it reads.
    /// </summary>
    bool WritesAtCommit => false;
}

/// <summary>
/// A planned statement's first row (null: it returned none), read before its operation ran; <see cref="Next"/> is the
/// row the operation's next statement takes, when one planned statement did the work of several.
/// </summary>
internal sealed record PrefetchedRow(Statement Statement, object?[]? Row, PrefetchedRow? Next = null);

/// <summary>An operation must take its rows unplanned, in its turn: the batch runs again without its planned statement.</summary>
internal sealed class UnplannedTakeException() : Exception("An operation's planned statement went stale after later operations took their rows.");
