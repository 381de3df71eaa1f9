using Microsoft.Extensions.Options;

namespace Tollgate.Server.Clock;

/// <summary>Runs the due work (renewals, dunning, trial ends) every 5 seconds on the real clock.</summary>
public sealed class BillingWorker(DueWork work, IOptions<TestClockOptions> testClock, TimeProvider time, ILogger<BillingWorker> logger)
    : PeriodicWork(TimeSpan.FromSeconds(5), testClock, time, logger)
{
    protected override string DoneMessage => "Ran {Count} due item(s)";

    public override async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await work.RunAsync(cancellationToken);
        return 0;
    }
}
