using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Discounts;
using Tollgate.Core.Metrics;

namespace Tollgate.Core.Tests.Discounts;

public sealed class DiscountedMrrTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SubscriptionState Active(string sub, long price, BillingInterval interval = BillingInterval.Monthly) =>
        new(sub, "cus_" + sub, T0, 1, "created", SubscriptionStatus.Active, "pro", "v1", interval, price, "USD", false, false);

    private static Discount Coupon(string sub, long bp, CouponDuration duration, int? months = null, long? amountOff = null) =>
        new("di_" + sub, sub, "cus_" + sub, new Coupon("c", "c", amountOff is null ? bp : null, amountOff, amountOff is null ? null : "USD", duration,
            months, [], null, null, 0, null, T0), null, T0, duration == CouponDuration.Repeating ? T0.AddMonths(months!.Value) : null, null);

    [Fact]
    public void MrrIsNetOfAForeverPercentageAndOfAnAmountOff()
    {
        var states = DiscountedMrr.Apply([Active("a", 2999), Active("b", 30000, BillingInterval.Yearly)],
            [Coupon("a", 2000, CouponDuration.Forever), Coupon("b", 0, CouponDuration.Forever, amountOff: 6000)], T0.AddYears(1));
        var window = new MrrLedger(states, MetricsPolicy.Default).Window(T0, T0.AddMonths(1));

        // 2999 − 600 = 2399 a month, and (30000 − 6000) ÷ 12 = 2000 a month: 4399 cents, in twelfths.
        Assert.Equal(4399 * 12, window.EndTwelfths);
    }

    [Fact]
    public void ARepeatingCouponRunningOutShowsAsExpansionWhenItEnds()
    {
        var states = DiscountedMrr.Apply([Active("a", 3000)], [Coupon("a", 5000, CouponDuration.Repeating, 3)], T0.AddYears(1));
        var window = new MrrLedger(states, MetricsPolicy.Default).Window(T0.AddMonths(1), T0.AddMonths(6));

        var movement = Assert.Single(window.Movements);
        Assert.Equal((MovementKind.Expansion, T0.AddMonths(3), 1500L * 12, 3000L * 12),
            (movement.Kind, movement.At, movement.BeforeTwelfths, movement.AfterTwelfths));
    }

    [Fact]
    public void AOnceCouponLowersAnInvoiceButNotMrr()
    {
        var states = DiscountedMrr.Apply([Active("a", 3000)], [Coupon("a", 5000, CouponDuration.Once)], T0.AddYears(1));

        Assert.Equal(3000L * 12, new MrrLedger(states, MetricsPolicy.Default).Window(T0, T0.AddMonths(1)).EndTwelfths);
    }
}
