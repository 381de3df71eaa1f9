using Microsoft.Extensions.Options;
using Tollgate.Storage.Retention;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Clock;

/// <summary>
/// Releases reservations whose hold ran out and, every Tollgate:Retention:Interval, prunes raw rows past their retention.
/// It has no loop of its own: <see cref="DueWork"/> runs it with everything else that falls due.
/// </summary>
public sealed class UsageMaintenance(
    Reservations reservations, RetentionPruner retention, IOptions<RetentionOptions> retentionOptions, TimeProvider time,
    ILogger<UsageMaintenance> logger)
{
    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;

    /// <summary>One pass: the expired reservations released, and retention when its interval has passed.</summary>
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

        if (released > 0)
        {
            logger.LogInformation("Released {Count} expired reservation(s)", released);
        }

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
