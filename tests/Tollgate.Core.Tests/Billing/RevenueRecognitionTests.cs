using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Billing;

namespace Tollgate.Core.Tests.Billing;

public sealed class RevenueRecognitionTests
{
    [Fact]
    public void AMonthBilledInAdvanceIsRecognizedEvenlyByTheMillisecond()
    {
        var start = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var line = new RevenueLine("c1", "pro", 2000, start, start.AddMonths(1)); // 31 days

        var daily = RevenueRecognition.Daily([line], new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), 2);

        Assert.Equal(Math.Round(2000m * 12 / (31 * 24), 20), Math.Round(daily[0], 20)); // the half day from noon
        Assert.Equal(Math.Round(2000m / 31, 20), Math.Round(daily[1], 20));
    }

    [Fact]
    public void ALinesDailySharesAddUpToItsAmount() =>
        Check.QuickThrowOnFailure(Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), Gen.Choose(1, 400).ToArbitrary(), (amount, days) =>
        {
            var start = new DateTimeOffset(2026, 1, 31, 7, 30, 0, TimeSpan.Zero);
            var line = new RevenueLine("c1", "pro", amount, start, start.AddDays(days).AddHours(5));
            var shares = Enumerable.Range(0, days + 1).Sum(d => RevenueRecognition.Share(line, start.AddDays(d), start.AddDays(d + 1)));
            // Each share is a 28-digit decimal fraction; their sum is the amount to far below a cent.
            return Math.Abs(shares - amount) < 0.000000001m;
        }));
}
