using Microsoft.Extensions.Options;

namespace Tollgate.Server.Clock;

/// <summary>
/// Runs the due work (<see cref="DueWork"/>: renewals, dunning, expired reservations and Checkout holds, retention) every
/// <see cref="Interval"/> on the real clock; under the test clock, advancing time runs it instead.
/// </summary>
public sealed class BillingWorker(DueWork work, IOptions<TestClockOptions> testClock, TimeProvider time, ILogger<BillingWorker> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (testClock.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                if (await work.RunAsync(stoppingToken) is var steps and > 0)
                {
                    logger.LogDebug("Due work ran {Steps} step(s)", steps);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Due work failed; it runs again in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
