using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Catalog;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Tests.Periods;

public sealed class QuotaWindowTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void YearlyPlanWithAMonthlyLimitGetsAWindowPerMonthOfTheYear()
    {
        var anchor = At("2026-01-31T10:00:00Z");
        var year = BillingPeriod.Containing(anchor, BillingInterval.Yearly, At("2026-03-15T00:00:00Z"));

        var windows = Enumerable.Range(0, 12)
            .Select(m => QuotaWindow.Containing(QuotaReset.Month, anchor, year, BillingPeriod.Nth(anchor, BillingInterval.Monthly, m).Start))
            .ToList();

        Assert.Equal(12, windows.Distinct().Count());
        Assert.Equal(At("2026-01-31T10:00:00Z"), windows[0].Start);
        Assert.Equal(At("2026-02-28T10:00:00Z"), windows[0].End);
        Assert.Equal(At("2026-03-31T10:00:00Z"), windows[2].Start);
        Assert.Equal(year.End, windows[11].End);
        Assert.All(windows.Zip(windows.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
    }

    [Fact]
    public void MonthlyWindowOfAMonthlyPlanIsItsBillingPeriod()
    {
        var anchor = At("2026-01-31T10:00:00Z");
        var now = At("2026-02-10T00:00:00Z");
        var period = BillingPeriod.Containing(anchor, BillingInterval.Monthly, now);

        Assert.Equal(period, QuotaWindow.Containing(QuotaReset.Month, anchor, period, now));
    }

    [Fact]
    public void MonthlyWindowDuringAShortTrialIsTheTrial()
    {
        var trial = new BillingPeriod(At("2026-05-01T08:00:00Z"), At("2026-05-15T08:00:00Z"));

        var window = QuotaWindow.Containing(QuotaReset.Month, trial.End, trial, At("2026-05-03T00:00:00Z"));

        Assert.Equal(trial, window);
    }

    [Fact]
    public void CalendarWindowsIgnoreTheAnchorAndTheTrial()
    {
        var trial = new BillingPeriod(At("2026-05-20T08:00:00Z"), At("2026-06-03T08:00:00Z"));
        var now = At("2026-05-31T23:59:59Z");

        Assert.Equal(new BillingPeriod(At("2026-05-01T00:00:00Z"), At("2026-06-01T00:00:00Z")),
            QuotaWindow.Containing(QuotaReset.CalendarMonth, trial.Start, trial, now));
        Assert.Equal(new BillingPeriod(At("2026-01-01T00:00:00Z"), At("2027-01-01T00:00:00Z")),
            QuotaWindow.Containing(QuotaReset.CalendarYear, trial.Start, trial, now));
        Assert.False(QuotaWindow.FollowsAHeldWindow(QuotaReset.CalendarMonth, BillingPeriod.CalendarMonth(now), trial.Start, trial.Start));
        Assert.True(QuotaWindow.FollowsAHeldWindow(QuotaReset.CalendarMonth, BillingPeriod.CalendarMonth(trial.End), trial.Start, trial.Start));
    }

    [Fact]
    public void CustomerWithoutSubscriptionCountsInCalendarMonthsAndYears()
    {
        var now = At("2026-07-19T13:00:00Z");
        var calendar = BillingPeriod.CalendarMonth(now);

        Assert.Equal(calendar, QuotaWindow.Containing(QuotaReset.Month, null, calendar, now));
        Assert.Equal(new BillingPeriod(At("2026-01-01T00:00:00Z"), At("2027-01-01T00:00:00Z")),
            QuotaWindow.Containing(QuotaReset.Year, null, calendar, now));
    }

    [Fact]
    public void DayWindowsStartAtMidnightUtcAndWeekWindowsOnMonday()
    {
        var sunday = At("2026-11-22T23:59:59Z");
        var period = BillingPeriod.CalendarMonth(sunday);

        Assert.Equal(new BillingPeriod(At("2026-11-22T00:00:00Z"), At("2026-11-23T00:00:00Z")),
            QuotaWindow.Containing(QuotaReset.Day, At("2026-01-05T17:00:00Z"), period, sunday));
        Assert.Equal(new BillingPeriod(At("2026-11-16T00:00:00Z"), At("2026-11-23T00:00:00Z")),
            QuotaWindow.Containing(QuotaReset.Week, null, period, sunday));
        Assert.Equal(At("2026-11-23T00:00:00Z"), QuotaWindow.Containing(QuotaReset.Week, null, period, At("2026-11-23T00:00:00Z")).Start);
    }

    [Fact]
    public void LifetimeWindowNeverResets()
    {
        var now = At("2026-11-22T10:00:00Z");
        var window = QuotaWindow.Containing(QuotaReset.Never, null, BillingPeriod.CalendarMonth(now), now);

        Assert.Equal(window, QuotaWindow.Containing(QuotaReset.Never, null, BillingPeriod.CalendarMonth(now.AddYears(30)), now.AddYears(30)));
        Assert.False(QuotaWindow.Resets(window));
    }

    [Fact]
    public void RateWindowsAreAlignedToTheEpoch()
    {
        var window = QuotaWindow.RateWindow(new RateLimit(10, RateLimitPer.Minute), At("2026-11-22T10:17:42.5Z"));

        Assert.Equal(new BillingPeriod(At("2026-11-22T10:17:00Z"), At("2026-11-22T10:18:00Z")), window);
    }

    [Fact]
    public void EveryWindowHoldsItsInstantAndMonthWindowsStayInsideThePeriod()
    {
        var anchors = Gen.Choose(0, 3650).Select(d => At("2020-01-31T06:30:00Z").AddDays(d).AddHours(d % 24));
        Check.QuickThrowOnFailure(Prop.ForAll(anchors.ToArbitrary(), Gen.Choose(0, 20000).ToArbitrary(), Gen.Elements(Enum.GetValues<QuotaReset>()).ToArbitrary(),
            (anchor, hours, reset) =>
            {
                var now = anchor.AddHours(hours);
                var period = BillingPeriod.Containing(anchor, BillingInterval.Yearly, now);
                var window = QuotaWindow.Containing(reset, anchor, period, now);
                var inside = reset != QuotaReset.Month || (window.Start >= period.Start && window.End <= period.End);
                return window.Contains(now) && inside;
            }));
    }
}
