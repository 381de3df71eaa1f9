using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Tollgate.Server.Entitlements;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

public abstract class GroupCommitterContract : StoreContract
{
    [Fact]
    public async Task AnOperationCancelledBeforeItsBatchStartsIsDroppedAndTheWriterGoesOn()
    {
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules);
        await h.AddCustomerAsync("c1");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var ran = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Committer.RunAsync("c1", _ =>
        {
            ran = true;
            return Task.FromResult(0);
        }, cancelled.Token));
        var consumed = await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 4, null));

        Assert.False(ran);
        Assert.True(Assert.IsType<UsageOutcome.Decided>(consumed).Decision.Allowed);
        Assert.Equal(4, (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("capped").Used);
    }

    [Fact]
    public async Task AnOperationAskedToRunAloneRunsInABatchOfItsOwnWhileTheOthersQueuedAroundItStillShareBatches()
    {
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules);
        var started = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var scopes = new System.Collections.Concurrent.ConcurrentDictionary<string, object>();
        // The first operation holds the writer, so the rest queue behind it (one key: one writer) and are gathered together.
        var holding = h.Committer.RunAsync("a", async scope =>
        {
            started.SetResult();
            await gate.Task;
            return 0;
        });
        await started.Task.WaitAsync(RealTime.Limit);
        var queued = Enumerable.Range(0, 12).Select(i => (Name: $"op{i}", Alone: i is 4 or 5 or 9)).ToArray();
        var runs = queued.Select(op => h.Committer.RunAsync("a", scope =>
        {
            scopes[op.Name] = scope;
            return Task.FromResult(0);
        }, alone: op.Alone)).ToList();
        gate.SetResult();
        await Task.WhenAll([holding, .. runs]);

        var batchOf = queued.ToDictionary(op => op.Name, op => scopes[op.Name]);
        foreach (var (name, _) in queued.Where(op => op.Alone))
        {
            Assert.Single(batchOf.Values, scope => ReferenceEquals(scope, batchOf[name]));
        }

        Assert.Contains(queued.Where(op => !op.Alone), op => queued.Any(other => other.Name != op.Name && !other.Alone
            && ReferenceEquals(batchOf[op.Name], batchOf[other.Name])));
    }

    [Fact]
    public async Task AnOperationWhosePlannedStatementWentStaleAfterLaterCustomersTookTheirRowsRunsAgainUnplannedInItsTurn()
    {
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules);
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var reruns = new MetricCollector<long>(factory, StorageMetrics.MeterName, "tollgate.group_commit.reruns");
        await using var committer = new GroupCommitter(h.Database, TimeProvider.System, NullLogger<GroupCommitter>.Instance,
            metrics: new StorageMetrics(factory));
        var started = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var holding = committer.RunAsync("a", async _ =>
        {
            started.SetResult();
            await gate.Task;
            return 0L;
        });
        await started.Task.WaitAsync(RealTime.Limit);
        // A later customer on the same writer, so both operations queue into one batch and their planned statements into one run.
        var later = Enumerable.Range(0, 1000).Select(i => $"b{i}").First(key => committer.PartitionOf(key) == committer.PartitionOf("a"));
        var one = new Statement("SELECT CAST(1 AS BIGINT)");
        var runsOfFirst = 0;
        var first = committer.RunAsync("a", async scope =>
        {
            Interlocked.Increment(ref runsOfFirst);
            var planned = await scope.RowAsync(one, row => row.GetInt64(0));
            scope.BeforeUnplannedTakes();
            return planned;
        }, first: _ => new PlannedStatement(one, []));
        var second = committer.RunAsync(later, scope => scope.RowAsync(one, row => row.GetInt64(0)), first: _ => new PlannedStatement(one, []));
        gate.SetResult();
        var answers = await Task.WhenAll(holding, first, second);

        Assert.Equal([0L, 1L, 1L], answers);
        // Where rows are locked (PostgreSQL) the later customer's statement had run with the first's, so the first ran again
        // unplanned, and /metrics counts the rerun; on SQLite one writer holds the database and nothing is out of order.
        Assert.Equal(Kind == StoreKind.Postgres ? 2 : 1, runsOfFirst);
        Assert.Equal(Kind == StoreKind.Postgres ? ["unplanned 1"] : [],
            reruns.GetMeasurementSnapshot().Select(m => $"{m.Tags["reason"]} {m.Value}").ToArray());
    }

    [Fact]
    public async Task RollupWritesHeldForTheCommitLandWithTheBatchAndAFailingOneUndoesOnlyItsOwnOperation()
    {
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules);
        var started = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var holding = h.Committer.RunAsync("a", async _ =>
        {
            started.SetResult();
            await gate.Task;
            return 0;
        });
        await started.Task.WaitAsync(RealTime.Limit);
        // Queued behind the holder, so they share one batch: the first writes a row of its own, then a rollup row that
        // breaks a NOT NULL constraint only when the rollup is written, at (or, on SQLite, just before) the commit.
        var failing = h.Committer.RunAsync("a", async scope =>
        {
            await scope.ExecuteAsync(Marker, "marker", "2026-03-01");
            scope.Aggregate<HeldRollup>().Rows.Add(["bad", "f", null, 1L]);
            return 0;
        });
        var fine = Enumerable.Range(0, 3).Select(i => h.Committer.RunAsync("a", scope =>
        {
            scope.Aggregate<HeldRollup>().Rows.Add(["good", "f", "2026-03-01", 10L + i]);
            return Task.FromResult(i);
        })).ToList();
        gate.SetResult();

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => failing);
        var answers = await Task.WhenAll(fine);
        Assert.Equal([0, 1, 2], answers);
        Assert.Equal([("good", 33L)], await DailyAsync(h.Database));
    }

    [Fact]
    public async Task AnAggregateThatWritesAtTheCommitMayNotReadWhereItsWritesAreHeld()
    {
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules);

        var reading = h.Committer.RunAsync("a", scope =>
        {
            scope.Aggregate<HeldRollup>().ReadsFirst = true;
            scope.Aggregate<HeldRollup>().Rows.Add(["good", "f", "2026-03-01", 5L]);
            return Task.FromResult(0);
        });

        // Its read would run before the writes held ahead of it; SQLite holds nothing, so there it runs in order.
        if (Kind == StoreKind.Postgres)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => reading);
            Assert.Empty(await DailyAsync(h.Database));
        }
        else
        {
            await reading;
            Assert.Equal([("good", 5L)], await DailyAsync(h.Database));
        }
    }

    [Fact]
    public async Task ACallerWhoseCodeBlocksOnItsNextOperationAfterASuccessOrAFailureDoesNotHoldUpTheWriter()
    {
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules);
        // The operations finish only once the callers' code is attached, so it runs where they complete.
        var attached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var succeeded = h.Committer.RunAsync("a", async _ =>
        {
            await attached.Task;
            return 1;
        });
        var failed = h.Committer.RunAsync<int>("b", async _ =>
        {
            await attached.Task;
            throw new InvalidOperationException("refused");
        });

        // Run on whichever thread completes the operation: were that the writer's, the next operation could never run.
        Task<int> ThenWaitOnTheNext(Task<int> operation) => operation.ContinueWith(
            done =>
            {
                var next = h.Committer.RunAsync("a", _ => Task.FromResult(done.IsCompletedSuccessfully ? 2 : 3));
                return next.Wait(TimeSpan.FromSeconds(10)) ? next.Result : -1;
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var waiting = Task.WhenAll(ThenWaitOnTheNext(succeeded), ThenWaitOnTheNext(failed));
        attached.SetResult();
        var next = await waiting;

        Assert.Equal(new[] { 2, 3 }, next);
        Assert.Equal("refused", (await Assert.ThrowsAsync<InvalidOperationException>(() => failed)).Message);
    }

    private static readonly Statement Marker = new(
        "INSERT INTO usage_daily (customer_id, feature_code, day, quantity) VALUES (@customer, 'f', @day, 1)",
        ("customer", System.Data.DbType.String), ("day", System.Data.DbType.String));

    private static async Task<(string, long)[]> DailyAsync(TollgateDatabase database) =>
        [.. await database.ReadAsync(async connection => (await Dapper.SqlMapper.QueryAsync<(string, long)>(connection,
            "SELECT customer_id, quantity FROM usage_daily ORDER BY customer_id")).ToArray())];

    /// <summary>A rollup written at the commit, as the daily usage rollup is.</summary>
    private sealed class HeldRollup : IBatchAggregate
    {
        private static readonly RowUpsert Upsert = new("usage_daily", ["customer_id", "feature_code", "day"], ["quantity"]);
        private static readonly Statement Read = new("SELECT CAST(1 AS BIGINT)");

        public List<object?[]> Rows { get; } = [];

        public bool ReadsFirst { get; set; }

        public bool WritesAtCommit => true;

        public async Task FlushAsync(BatchScope scope)
        {
            if (ReadsFirst)
            {
                await scope.RowAsync(Read, row => row.GetInt64(0));
            }

            await Upsert.WriteAsync(scope, Rows);
        }
    }
}

public sealed class SqliteGroupCommitterTests : GroupCommitterContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresGroupCommitterTests : GroupCommitterContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
