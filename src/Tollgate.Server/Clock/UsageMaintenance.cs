using Microsoft.Extensions.Options;
using Tollgate.Storage.Retention;
using Tollgate.Storage.Usage;

namespace Tollgate.Server.Clock;

/// <summary>Releases reservations whose hold ran out and, every Tollgate:Retention:Interval, prunes raw rows past their retention.</summary>
public sealed class UsageMaintenance(
    Reservations reservations, RetentionPruner retention, IOptions<RetentionOptions> retentionOptions, TimeProvider time,
    IOptions<TestClockOptions> testClock, ILogger<UsageMaintenance> logger)
    : PeriodicWork(TimeSpan.FromSeconds(5), testClock, time, logger)
{
    protected override string DoneMessage => "Released {Count} expired reservation(s)";

    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;

    /// <summary>One pass; the worker runs it every few seconds and the test clock runs it when time moves.</summary>
    public override async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
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
}
