using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tollgate.Server.Clock;

namespace Tollgate.Server.Tests.Billing;

/// <summary>The real-clock loop that runs renewals and dunning outlives any failure of one pass.</summary>
public sealed class BillingWorkerTests
{
    [Fact]
    public async Task APassThatFailsWithACancellationNotTheHostsRunsAgainAtTheNextTickInsteadOfStoppingTheServer()
    {
        var passes = 0;
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = new Tollgate.Core.Time.ManualClock(DateTimeOffset.UnixEpoch);
        using var worker = new BillingWorker(
            _ => ++passes switch
            {
                1 => throw new TaskCanceledException("a call to a payment provider timed out"),
                2 => throw new InvalidOperationException("the database went away"),
                _ => Complete(),
            },
            Options.Create(new TestClockOptions { Enabled = false }), clock, NullLogger<BillingWorker>.Instance);

        await worker.StartAsync(CancellationToken.None);
        for (var tick = 0; tick < 10 && !third.Task.IsCompleted; tick++)
        {
            await Task.Delay(20);
            clock.Advance(BillingWorker.Interval);
        }

        await third.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(worker.ExecuteTask!.IsCompleted);
        await worker.StopAsync(CancellationToken.None);

        Task<int> Complete()
        {
            third.TrySetResult();
            return Task.FromResult(0);
        }
    }

    [Fact]
    public async Task NoPassRunsBeforeTheHostHasStartedSoAServerThatFailsToBindWritesNothing()
    {
        var passes = 0;
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lifetime = new Lifetime();
        using var worker = new BillingWorker(
            _ => { Interlocked.Increment(ref passes); ran.TrySetResult(); return Task.FromResult(0); },
            Options.Create(new TestClockOptions { Enabled = false }), TimeProvider.System, NullLogger<BillingWorker>.Instance, lifetime: lifetime);

        await worker.StartAsync(CancellationToken.None);
        await Task.Delay(200);
        var before = Volatile.Read(ref passes);
        await lifetime.StartedSource.CancelAsync();
        await ran.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await worker.StopAsync(CancellationToken.None);

        Assert.Equal(0, before); // it renewed subscriptions at once, then the host failed to bind its port and exited
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationTokenSource StartedSource { get; } = new();

        public CancellationToken ApplicationStarted => StartedSource.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
