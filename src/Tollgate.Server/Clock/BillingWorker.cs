using Microsoft.Extensions.Options;

namespace Tollgate.Server.Clock;

/// <summary>
/// Runs the due work (<see cref="DueWork"/>: renewals, dunning, expired reservations and Checkout holds, retention) every
/// <see cref="Interval"/> on the real clock; under the test clock, advancing time runs it instead.
/// </summary>
public sealed class BillingWorker : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Func<CancellationToken, Task<int>> _run;
    private readonly IOptions<TestClockOptions> _testClock;
    private readonly TimeProvider _time;
    private readonly ILogger<BillingWorker> _logger;
    private readonly Storage.Database.OutageLog? _outage;
    private readonly IHostApplicationLifetime? _lifetime;

    public BillingWorker(
        DueWork work, IOptions<TestClockOptions> testClock, TimeProvider time, ILogger<BillingWorker> logger, Storage.Database.TollgateDatabase database,
        IHostApplicationLifetime lifetime)
        : this(work.RunAsync, testClock, time, logger, new Storage.Database.OutageLog(database, logger, "Due work (renewals, dunning, expiries)"), lifetime)
    {
    }

    internal BillingWorker(
        Func<CancellationToken, Task<int>> run, IOptions<TestClockOptions> testClock, TimeProvider time, ILogger<BillingWorker> logger,
        Storage.Database.OutageLog? outage = null, IHostApplicationLifetime? lifetime = null)
    {
        _outage = outage;
        _lifetime = lifetime;
        _run = run;
        _testClock = testClock;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_testClock.Value.Enabled)
        {
            return;
        }

        if (_lifetime is not null)
        {
            await Http.HostStarted.WaitAsync(_lifetime, stoppingToken);
        }

        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            try
            {
                if (await _run(stoppingToken) is var steps and > 0)
                {
                    _logger.LogDebug("Due work ran {Steps} step(s)", steps);
                }

                _outage?.Reached();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && _outage?.Logged(e) == true)
            {
                // logged once for the whole outage; the next tick tries again
            }
            // Any failure but the host's own stop, a timed-out call's cancellation included: an exception that left this
            // loop would stop the whole server (.NET's default for a failed background service).
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogError(e, "Due work failed; it runs again in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
