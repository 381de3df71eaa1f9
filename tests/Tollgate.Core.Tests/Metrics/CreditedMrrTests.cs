using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Metrics;

namespace Tollgate.Core.Tests.Metrics;

public sealed class CreditedMrrTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SubscriptionState Active(int day, long price) =>
        new("s", "c", T0.AddDays(day), day, "x", SubscriptionStatus.Active, "p", "p_v1", BillingInterval.Monthly, price, "USD", false, false);

    [Fact]
    public void ACreditOnAPayingCustomersMonthIsAContractionThenAnExpansion()
    {
        // $10 a month from January; $4 credited on February's fee (Feb 1 – Mar 1).
        var states = CreditedMrr.Apply([Active(0, 1000)], [new MrrCredit("s", "p", T0.AddDays(31), T0.AddDays(59), 400)], T0.AddDays(90));

        var window = new MrrLedger(states, MetricsPolicy.Default).Window(T0.AddDays(1), T0.AddDays(90));

        Assert.Equal([-400L * 12, 400L * 12], window.Movements.Select(m => m.DeltaTwelfths));
        Assert.Equal([MovementKind.Contraction, MovementKind.Expansion], window.Movements.Select(m => m.Kind));
        Assert.Equal(1000L * 12, window.EndTwelfths);
    }

    [Fact]
    public void AFullCreditIsChurnAndAReactivationAndNeverBelowZero()
    {
        var states = CreditedMrr.Apply([Active(0, 1000)], [new MrrCredit("s", "p", T0.AddDays(31), T0.AddDays(59), 1500)], T0.AddDays(90));

        var window = new MrrLedger(states, MetricsPolicy.Default).Window(T0.AddDays(1), T0.AddDays(90));

        Assert.Equal([MovementKind.Churn, MovementKind.Reactivation], window.Movements.Select(m => m.Kind));
        Assert.Equal(-1000L * 12, window.Movements[0].DeltaTwelfths);
    }

    [Fact]
    public void ACreditOnAnotherPlansFeeLeavesThisPlanAlone()
    {
        var states = CreditedMrr.Apply([Active(0, 1000)], [new MrrCredit("s", "other", T0.AddDays(31), T0.AddDays(59), 400)], T0.AddDays(90));

        Assert.Empty(new MrrLedger(states, MetricsPolicy.Default).Window(T0.AddDays(1), T0.AddDays(90)).Movements);
    }

    [Fact]
    public void AStateNowIsLoweredByTheCreditInForceAndNotByOneOnAnotherSubscriptionOrAnEndedPeriod()
    {
        MrrCredit[] credits =
        [
            new("s", "p", T0.AddDays(31), T0.AddDays(59), 400),
            new("s", "p", T0, T0.AddDays(31), 900), // January's, ended by February
            new("other", "p", T0.AddDays(31), T0.AddDays(59), 300),
        ];

        Assert.Equal(600, CreditedMrr.At(Active(40, 1000), credits).PriceCents);
        Assert.Equal(1000, CreditedMrr.At(Active(59, 1000), credits).PriceCents);
        Assert.Equal(0, CreditedMrr.At(Active(10, 800), credits).PriceCents); // never below 0
    }
}
