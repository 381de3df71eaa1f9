using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tollgate.Storage.Database;

/// <summary>
/// Group commit: concurrent operations on this node share one transaction, each keeps its own decision, and none is
/// answered before that transaction commits. Operations are partitioned by customer so one customer's operations
/// keep their order; the dialect says how many partitions (writers) there are. Bulk work (a batch of logged LLM calls) has
/// writers of its own on PostgreSQL, so the hot path's small batches are not queued behind a large insert, and the insert
/// takes a second database backend. A customer's bulk and hot operations are not ordered against each other: where they
/// share a row (the LLM budget) the later waits for the earlier's lock, as with another node's batch. At most <see cref="DatabaseOptions.QueueCapacity"/>
/// operations wait or run at once: past that, <see cref="RunAsync{T}"/> refuses at once, so latency and memory stay bounded.
/// </summary>
public sealed class GroupCommitter : IAsyncDisposable
{
    public const int MaxBatch = 256;
    private readonly TollgateDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<GroupCommitter> _logger;
    private readonly Channel<Pending>[] _partitions;
    private readonly int _hot;
    private readonly int _lanes;
    private readonly int _capacity;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _starting = new();
    private Task[]? _loops;
    private int _inFlight;
    private int _disposed;
    private readonly StorageMetrics? _metrics;

    public GroupCommitter(
        TollgateDatabase database, TimeProvider time, ILogger<GroupCommitter> logger, IOptions<DatabaseOptions>? options = null, StorageMetrics? metrics = null)
    {
        _database = database;
        _time = time;
        _logger = logger;
        _capacity = options?.Value.QueueCapacity ?? DatabaseOptions.DefaultQueueCapacity;
        _metrics = metrics;
        metrics?.ObserveQueueDepth(() => Volatile.Read(ref _inFlight));
        _hot = database.Dialect.WriterCount(options?.Value.Writers);
        _lanes = database.Dialect.LanesPerWriter(options?.Value.WriterLanes ?? 1);
        var bulk = database.Dialect.BulkWriterCount(options?.Value);
        _partitions = [.. Enumerable.Range(0, _hot + bulk).Select(_ => Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true }))];
    }

    /// <summary>Starts the writers' loops (the hosted service calls this when the host starts; the first operation does otherwise).</summary>
    public void Start()
    {
        lock (_starting)
        {
            // Without the caller's context: a first request's trace would otherwise be current in the loops for good,
            // and every later batch's statements would be recorded as that request's children.
            using (ExecutionContext.SuppressFlow())
            {
                _loops ??= [.. _partitions.Select(p => Task.Run(() => new Writer(this).RunAsync(p.Reader)))];
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the next batch of <paramref name="partitionKey"/>'s partition; completes after the commit.
    /// <paramref name="first"/>, when given, names the operation's first statement, which the batch sends together with the
    /// other operations' first statements in one round trip. An operation cancelled before its batch starts is dropped.
    /// <paramref name="orderKey"/> orders one key's operations within a batch (a feature code: the row they lock), so
    /// batches on other nodes take one customer's rows in the same order too. <paramref name="bulk"/> sends it to the bulk
    /// writers, where the store has them. <paramref name="alone"/> runs it in a batch of its own: for work that takes
    /// several customers' rows (in their order), which the batch's order by key cannot place among other operations'.
    /// <paramref name="claim"/>, when given, is a lock the operation may wait on (an idempotency key a concurrent duplicate
    /// holds): every batch takes its operations' claims before any of their work, in the claims' order, so a batch never
    /// waits on a claim while it holds a counter that the claim's holder then waits on.
    /// </summary>
    /// <exception cref="OverloadedException">The node already holds as many operations as it may.</exception>
    public async Task<T> RunAsync<T>(
        string partitionKey, Func<BatchScope, Task<T>> work, CancellationToken cancellationToken = default, Func<BatchScope, PlannedStatement>? first = null,
        string? orderKey = null, bool bulk = false, bool alone = false, BatchClaim? claim = null)
    {
        if (_loops is null)
        {
            Start();
        }

        if (Interlocked.Increment(ref _inFlight) > _capacity)
        {
            Interlocked.Decrement(ref _inFlight);
            throw new OverloadedException(_capacity);
        }

        try
        {
            var pending = new Pending(partitionKey, async scope => await work(scope), first, cancellationToken)
            {
                Order = orderKey ?? "", Alone = alone, Claim = claim, Flow = _database.FlowStatementNow,
            };
            var partition = _partitions[PartitionOf(partitionKey, bulk)];
            if (!partition.Writer.TryWrite(pending))
            {
                throw new ObjectDisposedException(nameof(GroupCommitter));
            }

            return (T)(await pending.Completion.Task)!;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>The writer <paramref name="partitionKey"/>'s operations go to; work for several keys can be split along it.</summary>
    public int PartitionOf(string partitionKey, bool bulk = false)
    {
        var hash = (uint)StringComparer.Ordinal.GetHashCode(partitionKey);
        var bulkWriters = _partitions.Length - _hot;
        return bulk && bulkWriters > 0 ? _hot + (int)(hash % (uint)bulkWriters) : (int)(hash % (uint)_hot);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var partition in _partitions)
        {
            partition.Writer.TryComplete();
        }

        // Queued operations finish first; then the loops stop.
        if (_loops is not null)
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private sealed record Pending(string Key, Func<BatchScope, Task<object?>> Work, Func<BatchScope, PlannedStatement>? First, CancellationToken Cancellation)
    {
        // Continuations run where it completes, never on the writer's thread: a committed batch's on its one hand-off to the
        // thread pool (ExecuteAsync), a failed or cancelled operation's on one of its own (Fail, Cancel).
        public TaskCompletionSource<object?> Completion { get; } = new();

        public void Fail(Exception error) =>
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Self.Completion.TrySetException(s.Error), (Self: this, Error: error), preferLocal: false);

        public void Cancel() => ThreadPool.UnsafeQueueUserWorkItem(static self => self.Completion.TrySetCanceled(self.Cancellation), this, preferLocal: false);

        public string Order { get; init; } = "";

        /// <summary>Runs in a batch of its own: it takes several customers' rows, which no one batch order can place.</summary>
        public bool Alone { get; init; }

        public BatchClaim? Claim { get; init; }

        /// <summary>
        /// The caller's statement for every write (<see cref="TollgateDatabase.AlsoInEveryWrite"/>), taken where it called:
        /// the writer's loop runs outside every caller's flow. It runs after the operation's work, in the batch's transaction.
        /// </summary>
        public FlowStatement? Flow { get; init; }
    }

    /// <summary>
    /// One partition's writer, on long-lived connections whose hot statements stay prepared across batches. Where the
    /// database takes two write transactions at once and two lanes are asked for (<see cref="SqlDialect.LanesPerWriter"/>), the next batch starts on a
    /// second connection as soon as the current one's first round trip is back: the writer no longer idles while the
    /// database runs one batch's statements and commits it, and the next batch still gathers what arrived meanwhile. Two
    /// batches of one node then meet on rows as two nodes' batches do: the later waits for the earlier's row locks.
    /// </summary>
    private sealed class Writer(GroupCommitter owner)
    {
        private readonly StatementCache?[] _lanes = new StatementCache?[owner._lanes];

        public async Task RunAsync(ChannelReader<Pending> reader)
        {
            Task[] running = [.. _lanes.Select(_ => Task.CompletedTask)];
            var lane = 0;
            // An operation that runs alone, read while another batch was gathering: it starts the next batch.
            Pending? carried = null;
            try
            {
                while (carried is not null || await reader.WaitToReadAsync(owner._stopping.Token))
                {
                    // A lane's connection is free once its previous batch has ended, commit and answers included.
                    await running[lane];
                    var batch = new List<Pending>();
                    while (batch.Count < MaxBatch && batch is not [{ Alone: true }])
                    {
                        Pending? next;
                        if (carried is { } held)
                        {
                            carried = null;
                            next = held;
                        }
                        else if (!reader.TryRead(out next))
                        {
                            break;
                        }

                        // The caller gave up while it waited: nothing of it is written.
                        if (next.Cancellation.IsCancellationRequested)
                        {
                            next.Cancel();
                            continue;
                        }

                        if (next.Alone && batch.Count > 0)
                        {
                            carried = next;
                            break;
                        }

                        batch.Add(next);
                    }

                    if (batch.Count > 0)
                    {
                        owner._metrics?.Batch(batch.Count);
                        var underWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        running[lane] = RunBatchAsync(batch, lane, underWay);
                        await Task.WhenAny(underWay.Task, running[lane]);
                        lane = (lane + 1) % _lanes.Length;
                    }
                }
            }
            catch (OperationCanceledException) when (owner._stopping.IsCancellationRequested)
            {
            }
            finally
            {
                carried?.Cancel();
                await Task.WhenAll(running);
                foreach (var statements in _lanes)
                {
                    if (statements is not null)
                    {
                        await statements.DisposeAsync();
                    }
                }
            }
        }

        /// <summary>Runs and commits the batch; <paramref name="underWay"/> is set once its first round trip is back (or it ended).</summary>
        private async Task RunBatchAsync(List<Pending> batch, int lane, TaskCompletionSource underWay)
        {
            // Stable order by customer, then feature: concurrent batches on other nodes lock the same counters in the same order.
            var ordered = batch.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Order, StringComparer.Ordinal).ToList();
            try
            {
                await ExecuteWithRetriesAsync(ordered, lane, underWay);
            }
            // An unreachable database fails every operation as it is (each answered 503): running them one by one would
            // only try to connect once for each of them.
            catch (Exception e) when (ordered.Count > 1 && e is not CommitOutcomeUnknownException && !owner._database.IsUnavailable(e))
            {
                // One operation failed the batch and the rollback undid everything: run each alone so only it fails.
                owner._logger.LogWarning(e, "A batch of {Count} failed; running its operations one by one", ordered.Count);
                foreach (var pending in ordered)
                {
                    try
                    {
                        await ExecuteWithRetriesAsync([pending], lane, underWay);
                    }
                    catch (Exception single)
                    {
                        pending.Fail(single);
                    }
                }
            }
            catch (Exception e)
            {
                // A commit whose outcome is unknown fails every operation of the batch: none may run again. So does an outage.
                foreach (var pending in ordered)
                {
                    pending.Fail(e);
                }
            }
        }

        private async Task ExecuteWithRetriesAsync(IReadOnlyList<Pending> batch, int lane, TaskCompletionSource underWay)
        {
            // Operations to run without their planned statement: each addition reruns the batch at once, so at most
            // batch.Count reruns (one a planned run, in practice), and they are not counted as attempts.
            var unplanned = new HashSet<int>();
            for (var attempt = 1; ;)
            {
                try
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    await ExecuteAsync(batch, lane, underWay, unplanned);
                    owner._metrics?.Committed(started);
                    return;
                }
                catch (UnplannedTakeException)
                {
                    // ExecuteAsync added the operation to unplanned.
                    owner._metrics?.Rerun("unplanned");
                }
                catch (Exception e) when (attempt < 8 && owner._database.IsTransient(e))
                {
                    owner._metrics?.Rerun("transient");
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)));
                    attempt++;
                }
            }
        }

        private async Task ExecuteAsync(IReadOnlyList<Pending> batch, int lane, TaskCompletionSource underWay, HashSet<int> unplanned)
        {
            var token = owner._stopping.Token;
            var statements = _lanes[lane] ??= new StatementCache(await owner._database.OpenAsync(token));
            var commitSent = false;
            try
            {
                await using var transaction = await owner._database.BeginWriteAsync(statements.Connection, token);
                var scope = new BatchScope(statements, transaction, owner._time.GetUtcNow(), token);
                // Claims first, in their order, before any operation takes a counter: two nodes' batches, each holding a
                // counter and waiting on the idempotency key the other had claimed, deadlocked (PostgreSQL broke the tie after
                // its 1 s deadlock_timeout, and the batch ran again). A claim two operations share is taken once, for the first.
                if (HasClaims(batch))
                {
                    foreach (var claim in batch.Select(p => p.Claim).OfType<BatchClaim>().DistinctBy(c => c.Order).OrderBy(c => c.Order, StringComparer.Ordinal))
                    {
                        await claim.Run(scope);
                    }
                }

                var first = new PrefetchedRow?[batch.Count];
                var results = new object?[batch.Count];
                for (int i = 0, sent = 0; i < batch.Count; i++)
                {
                    if (i >= sent)
                    {
                        sent = await RunFirstStatementsAsync(scope, batch, i, first, unplanned);
                    }

                    scope.Prefetched = first[i];
                    scope.LaterRowsTaken = owner._database.Dialect.SharedByNodes && i < sent - 1;
                    try
                    {
                        results[i] = await batch[i].Work(scope);
                    }
                    catch (UnplannedTakeException)
                    {
                        // This operation and every later one its planned run sent go unplanned: at a window's start most of a
                        // run finds no row, and unplanning them one rerun at a time ran a batch of n first uses n times over
                        // (15,913 ordinary takes in 1,000 first uses, docs/benchmarks.md stop 68). The rerun takes their rows
                        // in order on the ordinary path; the runs after this one are planned again.
                        for (var j = i; j < sent; j++)
                        {
                            unplanned.Add(j);
                        }

                        throw;
                    }

                    underWay.TrySetResult(); // after the planned statements' round trip, or the first operation's own
                    if (scope.Prefetched is not null)
                    {
                        // Its first statement already ran; an operation that did not take its result would count twice.
                        throw new InvalidOperationException("An operation planned a first statement it did not run.");
                    }

                    if (batch[i].Flow is { } flow)
                    {
                        await flow.RunAsync(statements.Connection, transaction, token);
                    }
                }

                await scope.FlushAsync();
                commitSent = true;
                await scope.CommitAsync();
                owner._database.ConfirmDurable(statements.Connection);
                scope.RunAfterCommit();
                // One hand-off to the thread pool for the whole batch, where each operation's completion was one of its own:
                // every hand-off wakes a thread, which on a small VM cost more than the answers' own work (SQLite consume
                // +38-56 % in one sitting, docs/benchmarks.md stop 56). The callers' continuations run in turn on that
                // thread, never on the writer's, which a caller's blocking code would otherwise hold.
                ThreadPool.UnsafeQueueUserWorkItem(
                    static done =>
                    {
                        for (var i = 0; i < done.Batch.Count; i++)
                        {
                            done.Batch[i].Completion.TrySetResult(done.Results[i]);
                        }
                    },
                    (Batch: batch, Results: results),
                    preferLocal: false);
            }
            catch (Exception e) when (e is not UnplannedTakeException)
            {
                // The connection may be broken; the next attempt starts on a fresh one.
                await statements.DisposeAsync();
                _lanes[lane] = null;
                // The commit went out and its answer did not come back: it may have happened, so running the batch again
                // (or its operations one by one) could count it twice.
                if (commitSent && owner._database.CommitMayHaveHappened(e))
                {
                    throw new CommitOutcomeUnknownException(e);
                }

                throw;
            }
        }

        // A loop, not LINQ: most batches on the hot path have no claim, and this runs for every one.
        private static bool HasClaims(IReadOnlyList<Pending> batch)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch[i].Claim is not null)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Sends, in one round trip, the planned first statements of the run of operations from <paramref name="start"/> that
        /// each begin a customer's operations in the batch (a customer's later ones depend on the first's result), and
        /// answers where the run ends. Runs keep the batch's order, so every batch takes its counters in (customer, feature)
        /// order, as batches on other nodes do.
        /// </summary>
        private static async Task<int> RunFirstStatementsAsync(
            BatchScope scope, IReadOnlyList<Pending> batch, int start, PrefetchedRow?[] prefetched, HashSet<int> unplanned)
        {
            var planned = new List<PlannedStatement>();
            var end = start;
            while (end < batch.Count && batch[end].First is { } first && !unplanned.Contains(end) && (end == 0 || batch[end - 1].Key != batch[end].Key))
            {
                planned.Add(first(scope));
                end++;
            }

            if (planned.Count == 0)
            {
                return start + 1;
            }

            var rows = await scope.PipelineAsync(planned);
            for (var j = 0; j < planned.Count; j++)
            {
                prefetched[start + j] = new PrefetchedRow(planned[j].Statement, rows[j]);
            }

            return end;
        }
    }
}

/// <summary>
/// A lock an operation takes before its work (see <see cref="GroupCommitter.RunAsync{T}"/>): <paramref name="Run"/> takes
/// it in the batch's transaction and <see cref="BatchScope.Remember"/>s what it found; batches take claims in
/// <paramref name="Order"/>.
/// </summary>
public sealed record BatchClaim(string Order, Func<BatchScope, Task> Run);

/// <summary>A batch's commit was sent but its answer was lost (the connection broke): it may have committed, so it is not run again.</summary>
public sealed class CommitOutcomeUnknownException(Exception inner)
    : Exception("The database connection failed while committing; the operation may or may not have been recorded.", inner);

/// <summary>The node holds as many hot-path operations as it may; the caller should answer 503 and retry later.</summary>
public sealed class OverloadedException(int capacity)
    : Exception($"This node already holds {capacity} operations waiting to commit; retry shortly.")
{
    /// <summary>How long a client should wait before it retries.</summary>
    public static TimeSpan RetryAfter => TimeSpan.FromSeconds(1);
}

/// <summary>Starts the committer's writer loops with the host, and drains them when it stops.</summary>
public sealed class GroupCommitterService(GroupCommitter committer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        committer.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await committer.DisposeAsync();
}
