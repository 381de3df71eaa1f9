using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Usage;

/// <summary>
/// Group commit: concurrent operations on this node share one transaction, each keeps its own decision, and none is
/// answered before that transaction commits. Operations are partitioned by customer so one customer's operations
/// keep their order; SQLite has one partition (one writer), PostgreSQL several (one connection each).
/// </summary>
public sealed class GroupCommitter : IAsyncDisposable
{
    public const int MaxBatch = 256;
    private readonly TollgateDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<GroupCommitter> _logger;
    private readonly Channel<Pending>[] _partitions;
    private readonly Task[] _loops;
    private readonly CancellationTokenSource _stopping = new();
    private readonly StorageMetrics? _metrics;
    private long _queued; // the single-reader channels cannot count, so the depth is kept here

    public GroupCommitter(
        TollgateDatabase database, TimeProvider time, ILogger<GroupCommitter> logger, IOptions<DatabaseOptions>? options = null, StorageMetrics? metrics = null)
    {
        _database = database;
        _time = time;
        _logger = logger;
        // SQLite has one writer whatever the setting; PostgreSQL writers each hold one connection.
        var count = !database.Dialect.IsPostgres ? 1 : options?.Value.Writers ?? DatabaseOptions.DefaultPostgresWriters;
        _partitions = [.. Enumerable.Range(0, count).Select(_ => Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true }))];
        _loops = [.. _partitions.Select(p => Task.Run(() => new Writer(this).RunAsync(p.Reader)))];
        _metrics = metrics;
        metrics?.ObserveQueueDepth(() => Interlocked.Read(ref _queued));
    }

    /// <summary>Runs <paramref name="work"/> in the next batch of <paramref name="partitionKey"/>'s partition; completes after the commit.</summary>
    public async Task<T> RunAsync<T>(string partitionKey, Func<BatchScope, Task<T>> work)
    {
        var pending = new Pending(partitionKey, async scope => await work(scope));
        var partition = _partitions[(int)((uint)StringComparer.Ordinal.GetHashCode(partitionKey) % (uint)_partitions.Length)];
        if (!partition.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitter));
        }

        Interlocked.Increment(ref _queued);

        return (T)(await pending.Completion.Task)!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var partition in _partitions)
        {
            partition.Writer.TryComplete();
        }

        // Queued operations finish first; then the loops stop.
        await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private sealed record Pending(string Key, Func<BatchScope, Task<object?>> Work)
    {
        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One partition's writer, on a long-lived connection whose hot statements stay prepared across batches.</summary>
    private sealed class Writer(GroupCommitter owner)
    {
        private StatementCache? _statements;

        public async Task RunAsync(ChannelReader<Pending> reader)
        {
            var batch = new List<Pending>(MaxBatch);
            try
            {
                while (await reader.WaitToReadAsync(owner._stopping.Token))
                {
                    batch.Clear();
                    while (batch.Count < MaxBatch && reader.TryRead(out var next))
                    {
                        batch.Add(next);
                        Interlocked.Decrement(ref owner._queued);
                    }

                    owner._metrics?.Batch(batch.Count);
                    await RunBatchAsync(batch);
                }
            }
            catch (OperationCanceledException) when (owner._stopping.IsCancellationRequested)
            {
            }
            finally
            {
                if (_statements is not null)
                {
                    await _statements.DisposeAsync();
                }
            }
        }

        private async Task RunBatchAsync(List<Pending> batch)
        {
            // Stable order by customer: concurrent batches on other nodes lock the same counters in the same order.
            var ordered = batch.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
            try
            {
                await ExecuteWithRetriesAsync(ordered);
            }
            catch (Exception e) when (ordered.Count > 1)
            {
                // One operation failed the batch and the rollback undid everything: run each alone so only it fails.
                owner._logger.LogWarning(e, "A batch of {Count} failed; running its operations one by one", ordered.Count);
                foreach (var pending in ordered)
                {
                    try
                    {
                        await ExecuteWithRetriesAsync([pending]);
                    }
                    catch (Exception single)
                    {
                        pending.Completion.TrySetException(single);
                    }
                }
            }
            catch (Exception e)
            {
                ordered[0].Completion.TrySetException(e);
            }
        }

        private async Task ExecuteWithRetriesAsync(IReadOnlyList<Pending> batch)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    await ExecuteAsync(batch);
                    owner._metrics?.Committed(started);
                    return;
                }
                catch (Exception e) when (attempt < 8 && owner._database.IsTransient(e))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)));
                }
            }
        }

        private async Task ExecuteAsync(IReadOnlyList<Pending> batch)
        {
            var token = owner._stopping.Token;
            _statements ??= new StatementCache(await owner._database.OpenAsync(token));
            try
            {
                await using var transaction = await owner._database.BeginWriteAsync(_statements.Connection, token);
                var scope = new BatchScope(_statements, transaction, owner._time.GetUtcNow(), token);
                var results = new object?[batch.Count];
                for (var i = 0; i < batch.Count; i++)
                {
                    results[i] = await batch[i].Work(scope);
                }

                await scope.FlushAsync();
                await transaction.CommitAsync(token);
                scope.RunAfterCommit();
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }
            }
            catch
            {
                // The connection may be broken; the next attempt starts on a fresh one.
                await _statements.DisposeAsync();
                _statements = null;
                throw;
            }
        }
    }
}
