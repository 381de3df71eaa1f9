using Microsoft.Extensions.Options;
using Tollgate.Storage.Discounts;

namespace Tollgate.Server.Clock;

/// <summary>
/// Gives back promotion-code holds whose Checkout session has expired, every minute, so an admin's
/// redemption count is right even when no webhook reports the expiry and no one redeems another code.
/// </summary>
public sealed class CheckoutHoldSweep(DiscountStore discounts, TimeProvider time, IOptions<TestClockOptions> testClock, ILogger<CheckoutHoldSweep> logger)
    : PeriodicWork(TimeSpan.FromMinutes(1), testClock, time, logger)
{
    protected override string DoneMessage => "Gave back {Count} expired checkout promotion-code hold(s)";

    /// <summary>One pass; the worker runs it every minute and the test clock runs it when time moves.</summary>
    public override Task<int> RunOnceAsync(CancellationToken cancellationToken = default) => discounts.ReleaseExpiredCheckoutHoldsAsync(cancellationToken);
}
