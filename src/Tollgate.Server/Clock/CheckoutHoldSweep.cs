using Microsoft.Extensions.Options;
using Tollgate.Storage.Discounts;

namespace Tollgate.Server.Clock;

/// <summary>
/// Gives back promotion-code holds whose Checkout session has expired, every <see cref="Interval"/>, so an admin's
/// redemption count is right even when no webhook reports the expiry and no one redeems another code.
/// </summary>
public sealed class CheckoutHoldSweep(DiscountStore discounts, TimeProvider time, IOptions<TestClockOptions> testClock, ILogger<CheckoutHoldSweep> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>One pass; the worker runs it every minute and the test clock runs it when time moves.</summary>
    public Task<int> RunOnceAsync(CancellationToken cancellationToken = default) => discounts.ReleaseExpiredCheckoutHoldsAsync(cancellationToken);

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
                    logger.LogInformation("Gave back {Count} expired checkout promotion-code hold(s)", released);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Checkout hold sweep failed; it will run again");
            }
        }
    }
}
