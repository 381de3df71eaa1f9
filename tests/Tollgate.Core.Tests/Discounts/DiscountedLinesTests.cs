using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Billing;
using Tollgate.Core.Discounts;

namespace Tollgate.Core.Tests.Discounts;

public sealed class DiscountedLinesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Coupon Percent(long bp, CouponDuration duration = CouponDuration.Forever, int? months = null, params string[] plans) =>
        new("c", "Coupon", bp, null, null, duration, months, plans, null, null, 0, null, Start);

    private static Coupon AmountOff(long cents) => new("c", "Coupon", null, cents, "USD", CouponDuration.Once, null, [], null, null, 0, null, Start);

    private static Discount On(Coupon coupon, DateTimeOffset? ended = null) =>
        new("di_1", "sub_1", "cus_1", coupon, null, Start, coupon.EndFor(Start), ended);

    private static InvoiceLine Line(long amount, InvoiceLineKind kind = InvoiceLineKind.Recurring, int month = 0, string plan = "pro") =>
        new(kind, "line", amount, 1, amount, Start.AddMonths(month), Start.AddMonths(month + 1), plan, "v1");

    [Theory]
    [InlineData(700, 700, 5999, 700)] // an upgrade at the period's start: the $7 the credit gave back
    [InlineData(361, 700, 3096, 361)] // 16 of 31 days left: the share the credit gave back, not the whole $7
    [InlineData(700, 500, 5999, 500)] // never more than the amount off
    [InlineData(700, 700, 619, 619)] // a downgrade's small charge: never more than it comes to
    [InlineData(0, 700, 5999, 0)] // seats added credit nothing: the fee has the $7 already
    public void AChangesChargeTakesBackWhatItsCreditGaveBackOfTheAmountOff(long creditedOff, long amountOff, long charge, long expected)
    {
        var forever = On(AmountOff(amountOff) with { Duration = CouponDuration.Forever });

        var lines = DiscountedLines.AmountOffCarried([Line(charge, InvoiceLineKind.ProrationCharge)], forever, forever, creditedOff);

        Assert.Equal(expected, lines[0].DiscountCents);
    }

    [Fact]
    public void AnAmountOffIsNotCarriedToAChargeByACodeGivenWithTheChangeNorByACouponUsedUp()
    {
        var old = On(AmountOff(700) with { Duration = CouponDuration.Forever });
        var given = On(AmountOff(700) with { Duration = CouponDuration.Forever }) with { Id = "di_2" };
        var charge = Line(5999, InvoiceLineKind.ProrationCharge);

        var replaced = DiscountedLines.AmountOffCarried([charge], old, given, 700);
        var usedUp = DiscountedLines.AmountOffCarried([charge], old, null, 700);

        // A once code given with the change took the old coupon's $7 here, then its own $7 off the next fee.
        Assert.Equal((0L, 0L), (replaced[0].DiscountCents, usedUp[0].DiscountCents));
    }

    [Fact]
    public void TwentyPercentForeverOnTwentyNineNinetyNineTakesSixDollarsAndLeavesTwentyThreeNinetyNineDue()
    {
        var lines = DiscountedLines.Apply([Line(2999)], On(Percent(2000)));
        var totals = InvoiceTotals.Finalize(lines, 0);

        Assert.Equal(600, lines[0].DiscountCents);
        Assert.Equal((2999L, 600L, 2399L), (totals.SubtotalCents, totals.DiscountCents, totals.AmountDueCents));
    }

    [Fact]
    public void AFeaturesOverageSplitPerGroupIsDiscountedOnceOnTheWholeChargeNotRoundedPerGroupLine()
    {
        // Ten group lines of 5 cents: 10 % rounded per line would take 10 x 1 = 10 cents, not the 5 the 50-cent charge gives.
        var groups = Enumerable.Range(0, 10).Select(i => new InvoiceLine(InvoiceLineKind.Overage, $"Tokens (model: m{i})", 5, 5, 1, Start,
            Start.AddMonths(1), "pro", "v1", "tokens")).ToList();

        var lines = DiscountedLines.Apply(groups, On(Percent(1000)));

        Assert.Equal(5L, lines.Sum(l => l.DiscountCents));
        Assert.All(lines, l => Assert.InRange(l.DiscountCents, 0, 1));
    }

    [Fact]
    public void APercentageIsRoundedHalfUpOncePerLine()
    {
        var lines = DiscountedLines.Apply([Line(5), Line(5), Line(3)], On(Percent(1000)));

        Assert.Equal([1L, 1L, 0L], lines.Select(l => l.DiscountCents));
    }

    [Fact]
    public void APercentageOfACreditLineCreditsLess()
    {
        var lines = DiscountedLines.Apply([Line(-1000, InvoiceLineKind.ProrationCredit)], On(Percent(2000)));

        Assert.Equal((-200L, -800L), (lines[0].DiscountCents, lines[0].NetCents));
    }

    [Fact]
    public void AnAmountOffIsSpreadAcrossFeeAndOverageInProportionAndTheCentsLeftGoToTheLargestFraction()
    {
        // 500 × 300/1600 = 93.75, × 400/1600 = 125, × 900/1600 = 281.25: floors 93 + 125 + 281 = 499; the last cent goes to 0.75.
        var lines = DiscountedLines.Apply([Line(300), Line(400), Line(900, InvoiceLineKind.Overage)], On(AmountOff(500)));

        Assert.Equal([94L, 125L, 281L], lines.Select(l => l.DiscountCents));
    }

    [Fact]
    public void TenDollarsOffAFeeOfTwentyNineNinetyNineAndTwelveDollarsOfOverageTakesSevenFourteenAndTwoEightySix()
    {
        // 1000 × 2999/4199 = 714.22 and 1000 × 1200/4199 = 285.78: floors 714 + 285, the cent left goes to the overage's .78.
        var lines = DiscountedLines.Apply([Line(2999), Line(1200, InvoiceLineKind.Overage)], On(AmountOff(1000)));
        var totals = InvoiceTotals.Finalize(lines, 0);

        Assert.Equal([714L, 286L], lines.Select(l => l.DiscountCents));
        Assert.Equal((4199L, 1000L, 3199L), (totals.SubtotalCents, totals.DiscountCents, totals.AmountDueCents));
    }

    [Fact]
    public void AnAmountOffNeverComesToMoreThanTheLinesItCoversAndLeavesProrationLinesAlone()
    {
        var lines = DiscountedLines.Apply([Line(300), Line(400), Line(-100, InvoiceLineKind.ProrationCredit), Line(250, InvoiceLineKind.ProrationCharge)],
            On(AmountOff(5000)));

        Assert.Equal([300L, 400L, 0L, 0L], lines.Select(l => l.DiscountCents));
    }

    [Fact]
    public void AnAmountOffNeverTakesAnInvoiceBelowZeroWhenACreditForUnusedTimeIsOnIt()
    {
        // Twenty-five dollars off forever, on the invoice of a downgrade from 99.99 to 99.00 a year: its subtotal is
        // already -0.99, so nothing comes off; at a renewal carrying a credit of 19.28 and a charge of 6.42 beside a fee
        // of 9.99 the subtotal is -2.87, so nothing again; a credit of 5.00 beside the fee leaves 4.99 to take.
        var downgrade = DiscountedLines.Apply([Line(-9999, InvoiceLineKind.ProrationCredit), Line(9900)], On(AmountOff(2500)));
        var renewal = DiscountedLines.Apply([Line(999)], On(AmountOff(2500)), DiscountedLines.BilledAtIssue,
            [Line(-1928, InvoiceLineKind.ProrationCredit), Line(642, InvoiceLineKind.ProrationCharge)]);
        var partly = DiscountedLines.Apply([Line(999)], On(AmountOff(2500)), DiscountedLines.BilledAtIssue, [Line(-500, InvoiceLineKind.ProrationCredit)]);

        Assert.Equal([0L, 0L], downgrade.Select(l => l.DiscountCents));
        Assert.Equal(0, renewal[0].DiscountCents);
        Assert.Equal(499, partly[0].DiscountCents);
    }

    [Fact]
    public void AnAmountOffsPartsSumExactlyToTheDiscountAndNoneExceedsItsLine()
    {
        var amounts = Gen.Choose(0, 1_000_000).Select(a => (long)a).ListOf().Select(l => l.Take(8).ToList());
        Check.QuickThrowOnFailure(Prop.ForAll(amounts.ToArbitrary(), Gen.Choose(0, 2_000_000).ToArbitrary(), (lines, off) =>
        {
            var shares = DiscountedLines.Spread(off, lines);
            return shares.Sum() == Math.Min(off, lines.Sum()) && shares.Select((s, i) => s >= 0 && s <= lines[i]).All(ok => ok);
        }));
    }

    [Fact]
    public void ARepeatingDiscountCoversTheLinesThatStartWithinItsMonths()
    {
        var lines = DiscountedLines.Apply([.. Enumerable.Range(0, 4).Select(m => Line(1000, month: m))], On(Percent(5000, CouponDuration.Repeating, 3)));

        Assert.Equal([500L, 500L, 500L, 0L], lines.Select(l => l.DiscountCents));
    }

    [Fact]
    public void ACouponForSomePlansLeavesTheLinesOfOthersAlone()
    {
        var lines = DiscountedLines.Apply([Line(1000, plan: "pro"), Line(1000, plan: "basic")], On(Percent(1000, CouponDuration.Forever, null, "pro")));

        Assert.Equal([100L, 0L], lines.Select(l => l.DiscountCents));
    }

    [Fact]
    public void ARemovedDiscountNoLongerCoversLinesThatStartAfterItsEnd()
    {
        var lines = DiscountedLines.Apply([Line(1000), Line(1000, month: 1)], On(Percent(1000), ended: Start.AddDays(10)));

        Assert.Equal([100L, 0L], lines.Select(l => l.DiscountCents));
    }

    [Fact]
    public void InvoiceTotalIsTheSumOfItsDiscountedLinesNeverBelowZeroAndCreditCarriesForward()
    {
        var amounts = Gen.Choose(-50_000, 100_000).Select(a => (long)a).ListOf();
        var invoices = amounts.ListOf().Select(list => list.Take(6).ToList());
        Check.QuickThrowOnFailure(Prop.ForAll(invoices.ToArbitrary(), Gen.Choose(1, 10_000).ToArbitrary(), Gen.Choose(-20_000, 0).ToArbitrary(),
            (bills, bp, startBalance) =>
            {
                // Odd draws take an amount off instead of a percentage, so both kinds keep the invariant.
                var discount = On(bp % 2 == 0 ? Percent(bp) : AmountOff(bp * 3));
                long balance = startBalance, due = 0, totals = 0;
                var holds = true;
                foreach (var bill in bills)
                {
                    var lines = DiscountedLines.Apply(
                        [.. bill.Select(a => Line(a, a < 0 ? InvoiceLineKind.ProrationCredit : InvoiceLineKind.Recurring))], discount);
                    var invoice = InvoiceTotals.Finalize(lines, balance);
                    holds &= invoice.TotalCents == lines.Sum(l => l.NetCents) && invoice.AmountDueCents >= 0
                        && lines.All(l => Math.Abs(l.DiscountCents) <= Math.Abs(l.AmountCents))
                        && (bp % 2 == 0 || invoice.TotalCents >= Math.Min(0, lines.Sum(l => l.AmountCents))); // an amount off stops at zero
                    balance += invoice.BalanceChangeCents;
                    due += invoice.AmountDueCents;
                    totals += invoice.TotalCents;
                }

                // Credit carries forward: what was due, less the credit gained, is exactly what the invoices came to.
                return holds && balance <= 0 && due - (startBalance - balance) == totals;
            }));
    }
}
