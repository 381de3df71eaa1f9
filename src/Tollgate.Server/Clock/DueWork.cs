using Tollgate.Server.Billing;
using Tollgate.Server.Discounts;

namespace Tollgate.Server.Clock;

/// <summary>Everything that falls due with time, run in order: trial-end warnings, trial ends, renewals and their invoices, reservation expiry, past-due invoices, grace ends, expired checkout holds.</summary>
public sealed class DueWork(BillingCycle billing, UsageMaintenance usage, DiscountStore discounts, TimeProvider time)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var steps = await billing.WarnOfTrialEndsAsync(now, cancellationToken);
        steps += await billing.RunRenewalsAsync(now, cancellationToken);
        steps += await usage.RunOnceAsync(cancellationToken);
        steps += await billing.RunDunningAsync(now, cancellationToken);
        steps += await discounts.ReleaseExpiredCheckoutHoldsAsync(cancellationToken);
        return steps;
    }

    /// <summary>The earliest instant any step falls due, so the test clock runs each at its own time.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken = default) =>
        (await billing.NextDueAsync(cancellationToken), await discounts.NextHoldExpiryAsync(cancellationToken)) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            (var a, var b) => a ?? b,
        };
}
