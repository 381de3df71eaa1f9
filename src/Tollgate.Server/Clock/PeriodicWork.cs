using Microsoft.Extensions.Options;

namespace Tollgate.Server.Clock;

/// <summary>
/// A pass run every <see cref="Interval"/> on the injected clock, whose failure is logged and retried at the next tick.
/// Under the test clock it never runs by itself: advancing the clock runs the due work instead, so tests decide when.
/// </summary>
public abstract class PeriodicWork(TimeSpan interval, IOptions<TestClockOptions> testClock, TimeProvider time, ILogger logger)
    : BackgroundService
{
    public TimeSpan Interval => interval;

    protected TimeProvider Time => time;

    /// <summary>One pass; answers how many things it did, for the log.</summary>
    public abstract Task<int> RunOnceAsync(CancellationToken cancellationToken = default);

    /// <summary>A log message template with one {Count} hole, written when a pass did something.</summary>
    protected abstract string DoneMessage { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (testClock.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                if (await RunOnceAsync(stoppingToken) is var done and > 0)
                {
                    logger.LogInformation(DoneMessage, done);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "{Work} failed; it runs again in {Interval}", GetType().Name, interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
