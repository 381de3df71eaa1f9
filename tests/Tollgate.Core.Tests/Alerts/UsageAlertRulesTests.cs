using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Alerts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Tests.Alerts;

public sealed class UsageAlertRulesTests
{
    private static readonly int[] Defaults = [80, 90, 100];
    private static readonly BillingPeriod March = BillingPeriod.CalendarMonth(new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(7, 8, new[] { 80 })]
    [InlineData(7, 10, new[] { 80, 90, 100 })]
    [InlineData(8, 9, new[] { 90 })]
    [InlineData(10, 12, new int[0])]
    [InlineData(0, 7, new int[0])]
    public void CrossingFiresEachThresholdReachedNowAndNotBefore(long before, long after, int[] expected) =>
        Assert.Equal(expected, UsageAlertRules.Crossed(Defaults, 10, before, after));

    [Fact]
    public void PercentagesAreExactInIntegers()
    {
        // 7 of 9 is 77.8 %, 8 of 9 is 88.9 %: only the second reaches 80 %.
        Assert.Empty(UsageAlertRules.Crossed(Defaults, 9, 6, 7));
        Assert.Equal([80], UsageAlertRules.Crossed(Defaults, 9, 7, 8));
    }

    [Fact]
    public void EveryThresholdFiresExactlyOnceHoweverUsageIsSplit() =>
        Check.QuickThrowOnFailure(Prop.ForAll(Gen.Choose(1, 5).ListOf().ToArbitrary(), steps =>
        {
            long used = 0;
            var fired = new List<int>();
            foreach (var step in steps)
            {
                fired.AddRange(UsageAlertRules.Crossed(Defaults, 10, used, used + step));
                used += step;
            }

            return fired.SequenceEqual(Defaults.Where(t => used * 100 >= t * 10L));
        }));

    [Theory]
    [InlineData(80, AlertSeverity.Info)]
    [InlineData(90, AlertSeverity.Warning)]
    [InlineData(100, AlertSeverity.Critical)]
    [InlineData(150, AlertSeverity.Critical)]
    public void SeverityRisesWithTheThreshold(int threshold, AlertSeverity severity) =>
        Assert.Equal(severity, UsageAlertRules.SeverityOf(threshold));

    [Fact]
    public void HalfTheLimitUsedInATenthOfTheMonthProjectsExhaustionAtAFifth()
    {
        var now = March.Start + ((March.End - March.Start) / 10);

        var at = UsageAlertRules.ProjectedExhaustion(March, now, 50, 100);

        Assert.Equal(March.Start + ((March.End - March.Start) / 5), at);
    }

    [Fact]
    public void NoProjectionOnceUsageReachesTheLowestThreshold()
    {
        var early = March.Start + ((March.End - March.Start) / 10);

        Assert.NotNull(UsageAlertRules.ProjectedExhaustion(March, early, 79, 100, Defaults));
        Assert.Null(UsageAlertRules.ProjectedExhaustion(March, early, 80, 100, Defaults));
    }

    [Fact]
    public void NoProjectionInThePeriodsFirstDay() =>
        Assert.Null(UsageAlertRules.ProjectedExhaustion(March, March.Start.AddHours(20), 50, 100));

    [Theory]
    [InlineData(24, 100)] // too little used to say
    [InlineData(100, 100)] // already at the limit: the 100 % alert says it
    [InlineData(30, 100)] // 30 % in half the month lasts past the reset
    public void NoProjectionWhenItWouldNotHelp(long used, long limit) =>
        Assert.Null(UsageAlertRules.ProjectedExhaustion(March, March.Start + ((March.End - March.Start) / 2), used, limit));

    [Fact]
    public void MessagesNameTheUnitsAndTheDates()
    {
        Assert.Equal("You have used 8 of 10 CVs this month.", UsageAlertRules.ThresholdMessage(8, 10, "CVs", March));
        Assert.Equal("At this pace you will use all 10 CVs by Mar 24; your limit resets on Apr 1.",
            UsageAlertRules.ProjectedMessage(10, "CVs", new DateTimeOffset(2026, 3, 24, 5, 0, 0, TimeSpan.Zero), March));
    }

    [Fact]
    public void DayWeekAndLifetimeWindowsAreNamedAsSuchNotAsAMonth()
    {
        var day = QuotaWindow.Containing(QuotaReset.Day, null, March, new DateTimeOffset(2026, 3, 11, 9, 0, 0, TimeSpan.Zero));
        var week = QuotaWindow.Containing(QuotaReset.Week, null, March, new DateTimeOffset(2026, 3, 11, 9, 0, 0, TimeSpan.Zero));
        var lifetime = QuotaWindow.Containing(QuotaReset.Never, null, March, March.Start);
        var shortTrial = new BillingPeriod(new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero).AddHours(-1));

        Assert.Equal("You have reached your limit of 2 scans today; it resets on Mar 12.", UsageAlertRules.ExceededMessage(2, "scans", true, day));
        Assert.Equal("You have used 4 of 5 scans this week.", UsageAlertRules.ThresholdMessage(4, 5, "scans", week));
        Assert.Equal("You have used 2 of 3 exports so far.", UsageAlertRules.ThresholdMessage(2, 3, "exports", lifetime));
        Assert.Equal("You have reached your limit of 3 exports; it does not reset.", UsageAlertRules.ExceededMessage(3, "exports", true, lifetime));
        Assert.Equal("You have used 1 of 2 scans this month.", UsageAlertRules.ThresholdMessage(1, 2, "scans", shortTrial));
    }

    [Fact]
    public void ALifetimeAllowanceIsNeverProjectedToRunOutBeforeAResetItDoesNotHave()
    {
        var lifetime = QuotaWindow.Containing(QuotaReset.Never, null, March, March.Start);

        Assert.Null(UsageAlertRules.ProjectedExhaustion(lifetime, new DateTimeOffset(2026, 3, 20, 0, 0, 0, TimeSpan.Zero), 2, 3));
    }
}
