using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using static Tollgate.Core.Tests.Billing.Plans;

namespace Tollgate.Core.Tests.Billing;

public sealed class SubscriptionCycleTests
{
    private static readonly PlanVersion Pro = Version("pro", 2000);
    private static readonly PlanVersion Basic = Version("basic", 1000);

    private static PlanVersion Lookup(string id) => id == Pro.Id ? Pro : Basic;

    [Fact]
    public void MonthEndAnchorRenewsOnFeb29ThenMar31ThenApr30()
    {
        var subscription = Monthly(Pro, Utc(2024, 1, 31, 10));
        var renewals = new List<DateTimeOffset>();

        while (SubscriptionCycle.Next(subscription, Utc(2024, 5, 1), Lookup, false, true) is { } step)
        {
            renewals.Add(step.At);
            Assert.Equal(2000, step.RecurringLines.Single().AmountCents);
            subscription = step.Subscription;
        }

        Assert.Equal([Utc(2024, 2, 29, 10), Utc(2024, 3, 31, 10), Utc(2024, 4, 30, 10)], renewals);
        Assert.Equal(Utc(2024, 5, 31, 10), subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void TrialEndStartsTheFirstPaidPeriodAndBillsIt()
    {
        var trialing = Monthly(Pro, Utc(2026, 1, 1)) with
        {
            Status = SubscriptionStatus.Trialing, TrialStartAt = Utc(2026, 1, 1), TrialEndAt = Utc(2026, 1, 15), AnchorAt = Utc(2026, 1, 15),
            CurrentPeriodStart = Utc(2026, 1, 1), CurrentPeriodEnd = Utc(2026, 1, 15),
        };

        var step = SubscriptionCycle.Next(trialing, Utc(2026, 1, 15), Lookup, false, false)!;

        Assert.Equal((CycleKind.TrialConverted, SubscriptionStatus.Active), (step.Kind, step.Subscription.Status));
        Assert.Equal((Utc(2026, 1, 15), Utc(2026, 2, 15)), (step.Subscription.CurrentPeriodStart, step.Subscription.CurrentPeriodEnd));
        Assert.Equal(2000, step.RecurringLines.Single().AmountCents);
    }

    [Fact]
    public void TrialWithoutPaymentMethodCancelsWhenSoConfigured()
    {
        var trialing = Monthly(Pro, Utc(2026, 1, 1)) with
        {
            Status = SubscriptionStatus.Trialing, TrialStartAt = Utc(2026, 1, 1), TrialEndAt = Utc(2026, 1, 15), AnchorAt = Utc(2026, 1, 15),
        };

        var step = SubscriptionCycle.Next(trialing, Utc(2026, 2, 1), Lookup, cancelTrialWithoutPaymentMethod: true, hasPaymentMethod: false)!;

        Assert.Equal((CycleKind.TrialCanceled, SubscriptionStatus.Canceled, Utc(2026, 1, 15)), (step.Kind, step.Subscription.Status, step.At));
        Assert.Empty(step.RecurringLines);
    }

    [Fact]
    public void ScheduledDowngradeTakesEffectAtRenewalAtTheNewPrice()
    {
        var subscription = Monthly(Pro, Utc(2026, 1, 10)) with { PendingPlanVersionId = Basic.Id, PendingBillingPeriod = BillingInterval.Monthly };

        var step = SubscriptionCycle.Next(subscription, Utc(2026, 2, 10), Lookup, false, true)!;

        Assert.Equal(("basic", Basic.Id, null), (step.Subscription.PlanCode, step.Subscription.PlanVersionId, step.Subscription.PendingPlanVersionId));
        Assert.Equal(1000, step.RecurringLines.Single().AmountCents);
        Assert.Equal(Pro.Id, step.EndedVersionId); // the ended period's overage is billed on its own terms
    }

    [Fact]
    public void CancelAtPeriodEndEndsTheSubscriptionWithoutANewCharge()
    {
        var subscription = Monthly(Pro, Utc(2026, 1, 10)) with { CancelAtPeriodEnd = true };

        var step = SubscriptionCycle.Next(subscription, Utc(2026, 3, 1), Lookup, false, true)!;

        Assert.Equal((CycleKind.EndedAtPeriodEnd, SubscriptionStatus.Canceled, Utc(2026, 2, 10)), (step.Kind, step.Subscription.Status, step.Subscription.EndedAt));
        Assert.Empty(step.RecurringLines);
        Assert.Null(SubscriptionCycle.Next(step.Subscription, Utc(2026, 6, 1), Lookup, false, true));
    }
}
