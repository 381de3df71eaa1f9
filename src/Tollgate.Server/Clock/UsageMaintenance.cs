using Microsoft.Extensions.Options;
using Tollgate.Storage.Retention;
using Tollgate.Storage.Usage;

namespace Tollgate.Server.Clock;

/// <summary>Releases reservations whose hold ran out and, every Tollgate:Retention:Interval, prunes raw rows past their retention.</summary>
public sealed class UsageMaintenance(
    Reservations reservations, RetentionPruner retention, IOptions<RetentionOptions> retentionOptions, TimeProvider time,
    IOptions<TestClockOptions> testClock, ILogger<UsageMaintenance> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;

    /// <summary>One pass; the worker runs it every few seconds and the test clock runs it when time moves.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var released = 0;
        int batch;
        do
        {
            batch = await reservations.SweepExpiredAsync(now, cancellationToken);
            released += batch;
        }
        while (batch > 0);

        if (now - _prunedAt >= retentionOptions.Value.Interval)
        {
            _prunedAt = now;
            var pruned = await retention.PruneAsync(now, cancellationToken);
            if (pruned.Total > 0)
            {
                logger.LogInformation("Retention pruned {Report}", pruned);
            }
        }

        return released;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (testClock.Value.Enabled)
        {
            return; // advancing the test clock runs this instead
        }

        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var released = await RunOnceAsync(stoppingToken);
                if (released > 0)
                {
                    logger.LogInformation("Released {Count} expired reservation(s)", released);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Usage maintenance failed; it will run again");
            }
        }
    }
}
