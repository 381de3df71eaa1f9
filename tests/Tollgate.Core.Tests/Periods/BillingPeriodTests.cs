using Tollgate.Core.Catalog;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Tests.Periods;

public sealed class BillingPeriodTests
{
    private static DateTimeOffset Utc(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnniversaryOnJan31RenewsOnLastDayOfFebruaryThenMarch31InALeapYear()
    {
        var anchor = Utc(2024, 1, 31, 9);

        Assert.Equal(Utc(2024, 2, 29, 9), BillingPeriod.Nth(anchor, BillingInterval.Monthly, 1).Start);
        Assert.Equal(Utc(2024, 3, 31, 9), BillingPeriod.Nth(anchor, BillingInterval.Monthly, 2).Start);
        Assert.Equal(Utc(2024, 4, 30, 9), BillingPeriod.Nth(anchor, BillingInterval.Monthly, 3).Start);
        Assert.Equal(Utc(2024, 5, 31, 9), BillingPeriod.Nth(anchor, BillingInterval.Monthly, 4).Start);
    }

    [Fact]
    public void AnniversaryOnJan31RenewsOnFeb28InACommonYear() =>
        Assert.Equal(Utc(2025, 2, 28), BillingPeriod.Nth(Utc(2025, 1, 31), BillingInterval.Monthly, 1).Start);

    [Fact]
    public void YearlyAnniversaryOnLeapDayFallsOnFeb28ThenReturnsToFeb29()
    {
        var anchor = Utc(2024, 2, 29);

        Assert.Equal(Utc(2025, 2, 28), BillingPeriod.Nth(anchor, BillingInterval.Yearly, 1).Start);
        Assert.Equal(Utc(2028, 2, 29), BillingPeriod.Nth(anchor, BillingInterval.Yearly, 4).Start);
    }

    [Theory]
    [InlineData("2024-02-29T08:59:59Z", "2024-01-31T09:00:00Z", "2024-02-29T09:00:00Z")]
    [InlineData("2024-02-29T09:00:00Z", "2024-02-29T09:00:00Z", "2024-03-31T09:00:00Z")]
    [InlineData("2024-03-30T00:00:00Z", "2024-02-29T09:00:00Z", "2024-03-31T09:00:00Z")]
    [InlineData("2025-01-31T09:00:00Z", "2025-01-31T09:00:00Z", "2025-02-28T09:00:00Z")]
    public void ContainingFindsTheHalfOpenPeriodAroundAnInstant(string instant, string start, string end)
    {
        var period = BillingPeriod.Containing(Utc(2024, 1, 31, 9), BillingInterval.Monthly, DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), period.Start);
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), period.End);
    }

    [Fact]
    public void FreeCustomersUseUtcCalendarMonths()
    {
        var period = BillingPeriod.CalendarMonth(new DateTimeOffset(2024, 2, 29, 23, 30, 0, TimeSpan.FromHours(-5)));

        Assert.Equal(Utc(2024, 3, 1), period.Start);
        Assert.Equal(Utc(2024, 4, 1), period.End);
    }

    [Fact]
    public void PeriodsTileTimeWithoutGapsOrOverlaps()
    {
        FsCheck.Check.QuickThrowOnFailure(FsCheck.Fluent.Prop.ForAll<int, int>((anchorDays, offsetHours) =>
        {
            var anchor = Utc(2020, 1, 1).AddDays(Math.Abs(anchorDays % 2000)).AddHours(7);
            var instant = anchor.AddHours(Math.Abs(offsetHours % 100_000));
            var period = BillingPeriod.Containing(anchor, BillingInterval.Monthly, instant);
            var next = BillingPeriod.Containing(anchor, BillingInterval.Monthly, period.End);
            return period.Contains(instant) && next.Start == period.End && period.Start >= anchor;
        }));
    }
}
