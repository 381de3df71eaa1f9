using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Periods;
using static Tollgate.Core.Tests.Billing.Plans;

namespace Tollgate.Core.Tests.Billing;

public sealed class ProrationTests
{
    [Fact]
    public void KillBillUpgradeOfA20DollarPlanOnApril26GivesMinus10AndPlus15()
    {
        // Kill Bill's subscription guide: Silver $20 billed 2013-04-11..05-11, upgraded on 04-26 to Gold ($30).
        var silver = Version("silver", 2000);
        var gold = Version("gold", 3000);
        var subscription = Monthly(silver, Utc(2013, 4, 11));

        var change = PlanChange.Apply(subscription, silver, gold, BillingInterval.Monthly, null, ProrationBehavior.CreateProrations, Utc(2013, 4, 26));

        Assert.Equal(ChangeTiming.Immediate, change.Effective);
        Assert.Equal([(InvoiceLineKind.ProrationCredit, -1000L), (InvoiceLineKind.ProrationCharge, 1500L)],
            change.PendingLines.Select(l => (l.Kind, l.AmountCents)));
        Assert.All(change.PendingLines, l => Assert.Equal((Utc(2013, 4, 26), Utc(2013, 5, 11)), (l.PeriodStart, l.PeriodEnd)));
        Assert.Equal("gold_v1", change.Subscription.PlanVersionId);
    }

    [Fact]
    public void StripeUpgradeFrom10To20HalfwayGivesMinus5AndPlus10()
    {
        var basic = Version("basic", 1000);
        var pro = Version("pro", 2000);
        var subscription = Monthly(basic, Utc(2026, 4, 1)); // April has 30 days: the 16th is halfway

        var change = PlanChange.Apply(subscription, basic, pro, BillingInterval.Monthly, null, ProrationBehavior.CreateProrations, Utc(2026, 4, 16));

        Assert.Equal([-500L, 1000L], change.PendingLines.Select(l => l.AmountCents));
        Assert.Equal(500, change.PendingLines.Sum(l => l.AmountCents));
    }

    [Fact]
    public void StripeDowngradeFrom100To10HalfwayImmediatelyLeaves45OfCredit()
    {
        var big = Version("big", 10000);
        var small = Version("small", 1000);
        var subscription = Monthly(big, Utc(2026, 4, 1));

        var change = PlanChange.Apply(subscription, big, small, BillingInterval.Monthly, ChangeTiming.Immediate, ProrationBehavior.CreateProrations,
            Utc(2026, 4, 16));
        var totals = InvoiceTotals.Finalize(change.PendingLines, balanceCents: 0);

        Assert.Equal([-5000L, 500L], change.PendingLines.Select(l => l.AmountCents));
        Assert.Equal((-4500L, 0L, -4500L), (totals.SubtotalCents, totals.AmountDueCents, totals.BalanceChangeCents));
    }

    [Fact]
    public void CreditFromADowngradeIsUsedUpByTheNextInvoice()
    {
        var next = new[] { new InvoiceLine(InvoiceLineKind.Recurring, "small", 1000, 1, 1000, Utc(2026, 5, 1), Utc(2026, 6, 1)) };

        var totals = InvoiceTotals.Finalize(next, balanceCents: -4500);

        Assert.Equal((1000L, 1000L, 0L, 1000L), (totals.SubtotalCents, totals.CreditAppliedCents, totals.AmountDueCents, totals.BalanceChangeCents));
    }

    [Fact]
    public void DowngradeWaitsForThePeriodEndByDefault()
    {
        var pro = Version("pro", 3000);
        var basic = Version("basic", 1000);
        var subscription = Monthly(pro, Utc(2026, 1, 10));

        var change = PlanChange.Apply(subscription, pro, basic, BillingInterval.Monthly, null, ProrationBehavior.CreateProrations, Utc(2026, 1, 20));

        Assert.Equal((ChangeTiming.PeriodEnd, Utc(2026, 2, 10)), (change.Effective, change.EffectiveAt));
        Assert.Equal(("pro_v1", "basic_v1"), (change.Subscription.PlanVersionId, change.Subscription.PendingPlanVersionId));
        Assert.Empty(change.PendingLines);
    }

    [Fact]
    public void YearlyPlanCheaperPerMonthIsADowngradeFromMonthly()
    {
        var monthly = Version("pro", 1000, yearlyCents: 10000); // $10/month or $100/year ($8.33/month)
        var subscription = Monthly(monthly, Utc(2026, 1, 10));

        var change = PlanChange.Apply(subscription, monthly, monthly, BillingInterval.Yearly, null, ProrationBehavior.CreateProrations, Utc(2026, 1, 20));

        Assert.False(change.IsUpgrade);
        Assert.Equal(ChangeTiming.PeriodEnd, change.Effective);
    }

    [Fact]
    public void SwitchingToYearlyAtOnceStartsANewYearInvoicedNowWithCreditForTheMonth()
    {
        var monthly = Version("pro", 3000, yearlyCents: 36000);
        var subscription = Monthly(monthly, Utc(2026, 4, 1));

        var change = PlanChange.Apply(subscription, monthly, monthly, BillingInterval.Yearly, ChangeTiming.Immediate, ProrationBehavior.CreateProrations,
            Utc(2026, 4, 16));

        Assert.Equal([(InvoiceLineKind.ProrationCredit, -1500L), (InvoiceLineKind.Recurring, 36000L)],
            change.InvoiceNowLines.Select(l => (l.Kind, l.AmountCents)));
        Assert.Equal((Utc(2026, 4, 16), Utc(2027, 4, 16)), (change.Subscription.CurrentPeriodStart, change.Subscription.CurrentPeriodEnd));
    }

    [Theory]
    [InlineData(2024, 1500)] // February 2024 has 29 days: 15 of them remain after the 15th
    [InlineData(2025, 1450)] // February 2025 has 28 days: 14 remain
    public void LeapYearFebruaryProratesByItsOwnLength(int year, long expected)
    {
        var period = new BillingPeriod(Utc(year, 2, 1), Utc(year, 3, 1));

        Assert.Equal(expected, Proration.Remaining(2900, period, Utc(year, 2, 15)));
    }

    [Fact]
    public void ProrationLinesSumToTheDifferenceInRemainingValue()
    {
        Check.QuickThrowOnFailure(Prop.ForAll<PositiveInt, PositiveInt, NonNegativeInt>((oldPrice, newPrice, offset) =>
        {
            var from = Version("a", oldPrice.Get % 1_000_000);
            var to = Version("b", newPrice.Get % 1_000_000);
            var subscription = Monthly(from, Utc(2024, 1, 31, 9));
            var at = subscription.CurrentPeriodStart.AddSeconds(offset.Get % (29 * 86_400));
            var change = PlanChange.Apply(subscription, from, to, BillingInterval.Monthly, ChangeTiming.Immediate,
                ProrationBehavior.CreateProrations, at);
            var period = subscription.CurrentPeriod;
            var exact = (decimal)(to.Terms.Prices[0].PriceCents - from.Terms.Prices[0].PriceCents)
                * (decimal)(period.End - at).TotalSeconds / (decimal)period.Length.TotalSeconds;
            return Math.Abs(change.PendingLines.Sum(l => l.AmountCents) - exact) <= 1m;
        }));
    }
}
