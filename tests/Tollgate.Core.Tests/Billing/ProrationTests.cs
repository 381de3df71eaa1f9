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
    public void ChangingBackToTheCurrentPlanDropsTheScheduledDowngradeAndProratesNothing()
    {
        var pro = Version("pro", 3000);
        var basic = Version("basic", 1000);
        var scheduled = PlanChange.Apply(Monthly(pro, Utc(2026, 1, 10)), pro, basic, BillingInterval.Monthly, null,
            ProrationBehavior.CreateProrations, Utc(2026, 1, 20)).Subscription;

        var back = PlanChange.Apply(scheduled, pro, pro, BillingInterval.Monthly, ChangeTiming.Immediate, ProrationBehavior.CreateProrations,
            Utc(2026, 1, 25));

        Assert.Equal(("pro_v1", null, null), (back.Subscription.PlanVersionId, back.Subscription.PendingPlanVersionId, back.Subscription.PendingBillingPeriod));
        Assert.Equal((Utc(2026, 1, 10), Utc(2026, 2, 10)), (back.Subscription.CurrentPeriodStart, back.Subscription.CurrentPeriodEnd));
        Assert.Empty(back.PendingLines);
        Assert.Empty(back.InvoiceNowLines);
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

    // A change at Into after the start of the Index-th period after Anchor, from one price to another.
    private sealed record ProrationCase(DateTimeOffset Anchor, BillingInterval Interval, int Index, BillingInterval ToInterval, long OldPrice,
        long NewPrice, TimeSpan Into);

    // Anchors anywhere in a month, with month ends and Feb 29 often, at any second of the day.
    private static readonly Gen<DateTimeOffset> Anchors =
        from year in Gen.Choose(2000, 2099)
        from month in Gen.Choose(1, 12)
        from day in Gen.Frequency(
            (6, Gen.Choose(1, DateTime.DaysInMonth(year, month))),
            (3, Gen.Constant(DateTime.DaysInMonth(year, month))),
            (1, Gen.Constant(-1)))
        from second in Gen.Choose(0, 86_399)
        select (day == -1 ? new DateTimeOffset(year - (year % 4), 2, 29, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero)).AddSeconds(second);

    private static readonly Gen<long> Prices = Gen.Frequency(
        (1, Gen.Constant(0L)),
        (8, Gen.Choose(1, 1_000_000).Select(p => (long)p)),
        (1, Gen.Choose(1, 1_000_000).Select(p => p * 10_007L))); // up to about $100 million, past int

    private static readonly Gen<BillingInterval> Intervals = Gen.Elements(BillingInterval.Monthly, BillingInterval.Yearly);

    private static readonly Gen<ProrationCase> Cases =
        from anchor in Anchors
        from interval in Intervals
        from index in Gen.Choose(0, 40)
        from toInterval in Gen.Frequency((3, Gen.Constant(interval)), (1, Intervals))
        from oldPrice in Prices
        from newPrice in Prices
        from offset in InstantsInto(BillingPeriod.Nth(anchor, interval, index))
        select new ProrationCase(anchor, interval, index, toInterval, oldPrice, newPrice, offset);

    // The period's first and last second often, and sometimes a fraction of a second in, as a real clock gives.
    private static Gen<TimeSpan> InstantsInto(BillingPeriod period)
    {
        var seconds = (int)period.Length.TotalSeconds;
        return Gen.Frequency(
            (1, Gen.Constant(TimeSpan.Zero)),
            (1, Gen.Constant(TimeSpan.FromSeconds(seconds - 1))),
            (6, Gen.Choose(0, seconds - 1).Select(s => TimeSpan.FromSeconds(s))),
            (2, Gen.Choose(0, seconds - 1).SelectMany(s => Gen.Choose(1, 9_999_999).Select(t => TimeSpan.FromSeconds(s).Add(TimeSpan.FromTicks(t))))));
    }

    [Fact]
    public void ProrationLinesAreEachPricesShareOfTheRemainingSecondsForAnyAnchorIntervalPriceAndInstant()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5_000), Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var from = Version("a", c.OldPrice, yearlyCents: c.OldPrice);
            var to = Version("b", c.NewPrice, yearlyCents: c.NewPrice);
            var period = BillingPeriod.Nth(c.Anchor, c.Interval, c.Index);
            var subscription = Monthly(from, c.Anchor, c.Interval) with { CurrentPeriodStart = period.Start, CurrentPeriodEnd = period.End };
            var at = period.Start + c.Into;

            var change = PlanChange.Apply(subscription, from, to, c.ToInterval, ChangeTiming.Immediate, ProrationBehavior.CreateProrations, at);

            // By the second: a second already begun counts as used. Each share rounds half up once, to the cent.
            var total = (long)period.Length.TotalSeconds;
            var left = (period.End - at).Ticks / TimeSpan.TicksPerSecond;
            long Share(long price) => (long)Math.Round((decimal)price * left / total, MidpointRounding.AwayFromZero);
            var lines = c.ToInterval == c.Interval ? change.PendingLines : change.InvoiceNowLines;
            var (credit, second) = (lines[0], lines[1]);
            Assert.Equal(2, lines.Count);
            Assert.Equal((InvoiceLineKind.ProrationCredit, -Share(c.OldPrice), at, period.End),
                (credit.Kind, credit.AmountCents, credit.PeriodStart, credit.PeriodEnd));
            Assert.InRange(credit.AmountCents, -c.OldPrice, 0);
            Assert.All(lines, l => Assert.Equal((1L, l.AmountCents), (l.Quantity, l.UnitAmountCents)));
            if (c.ToInterval == c.Interval)
            {
                Assert.Equal((InvoiceLineKind.ProrationCharge, Share(c.NewPrice), at, period.End),
                    (second.Kind, second.AmountCents, second.PeriodStart, second.PeriodEnd));
                Assert.InRange(second.AmountCents, 0, c.NewPrice);
                // The two lines together are within a cent of the exact difference in the remaining seconds' value.
                var exact = (decimal)(c.NewPrice - c.OldPrice) * left / total;
                Assert.InRange(credit.AmountCents + second.AmountCents - exact, -1m, 1m);
                Assert.Equal((period.Start, period.End), (change.Subscription.CurrentPeriodStart, change.Subscription.CurrentPeriodEnd));
            }
            else
            {
                // A new billing period starts at the change, billed in full now.
                var next = BillingPeriod.Nth(at, c.ToInterval, 0);
                Assert.Equal((InvoiceLineKind.Recurring, c.NewPrice, next.Start, next.End),
                    (second.Kind, second.AmountCents, second.PeriodStart, second.PeriodEnd));
                Assert.Equal((at, next.End), (change.Subscription.CurrentPeriodStart, change.Subscription.CurrentPeriodEnd));
            }
        }));
    }
}
