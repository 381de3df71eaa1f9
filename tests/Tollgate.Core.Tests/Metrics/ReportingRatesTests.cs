using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Metrics;

namespace Tollgate.Core.Tests.Metrics;

public sealed class ReportingRatesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ReportingRates UsdWithEurAndJpy = new("USD", new Dictionary<string, decimal> { ["EUR"] = 1.08m, ["JPY"] = 0.0067m });

    private static SubscriptionState State(string customer, int day, SubscriptionStatus status, long price, string currency) =>
        new(customer, customer, T0.AddDays(day), day, "x", status, "p", "p_v1", BillingInterval.Monthly, price, currency, false, false);

    [Fact]
    public void WorkedExampleSumsEachCurrencyFirstThenConvertsEachSumOnce()
    {
        // $29.99 + $10.00, €19.99 twice at 1.08 and ¥500 at 0.0067: 3,999 + 4,317.84 + 335 cents = $86.5184, shown $86.52.
        var total = UsdWithEurAndJpy.Sum([("USD", 2999m), ("USD", 1000m), ("EUR", 1999m), ("EUR", 1999m), ("JPY", 500m)]);

        Assert.Equal(8651.84m, total.Minor);
        Assert.Empty(total.Unconverted);
    }

    [Fact]
    public void ConvertingTheSumOnceDiffersFromRoundingEachLine()
    {
        var rates = new ReportingRates("USD", new Dictionary<string, decimal> { ["EUR"] = 1.5m });

        // Three 1-cent lines: rounded one by one they would be 2 + 2 + 2; the sum of 3 cents is 4.5, rounded once to 5.
        Assert.Equal(4.5m, rates.Sum([("EUR", 1m), ("EUR", 1m), ("EUR", 1m)]).Minor);
        Assert.Equal(5L, rates.Rounded(3, "EUR"));
        Assert.Equal(2L, rates.Rounded(1, "EUR"));
    }

    [Fact]
    public void JpyHasNoMinorUnitsSoOneYenIsAHundredthOfTheRateInCents()
    {
        Assert.Equal(335m, UsdWithEurAndJpy.Exact(500, "JPY")); // ¥500 × 0.0067 = $3.35
        var yen = new ReportingRates("JPY", new Dictionary<string, decimal> { ["USD"] = 150m });

        Assert.Equal(1501.5m, yen.Exact(1001, "USD")); // $10.01 × 150 = ¥1,501.5
        Assert.Equal(1502L, yen.Rounded(1001, "USD")); // half away from zero
        Assert.Equal(-1502L, yen.Rounded(-1001, "USD"));
    }

    [Fact]
    public void ACurrencyWithoutARateIsLeftOutAndNamed()
    {
        var total = UsdWithEurAndJpy.Sum([("USD", 1000m), ("GBP", 5000m), ("CHF", 1m)]);

        Assert.Equal(1000m, total.Minor);
        Assert.Equal(["CHF", "GBP"], total.Unconverted);
        Assert.Null(UsdWithEurAndJpy.Rounded(5000, "GBP"));
    }

    [Fact]
    public void TheReportingCurrencyNeedsNoRate()
    {
        Assert.Equal(1234L, ReportingRates.Only("usd").Rounded(1234, "USD"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReportingRates("USD", new Dictionary<string, decimal> { ["EUR"] = 0m }));
    }

    [Fact]
    public void MrrOfUsdEurAndJpyCustomersIsExactInUsdAndGbpWithoutARateIsNamed()
    {
        // $10, €10 at 1.08 and ¥1,500 at 0.0067 a month: $10.00 + $10.80 + $10.05 = $30.85; £10 has no rate.
        SubscriptionState[] states =
        [
            State("us", 0, SubscriptionStatus.Active, 1000, "USD"), State("eu", 1, SubscriptionStatus.Active, 1000, "EUR"),
            State("jp", 2, SubscriptionStatus.Active, 1500, "JPY"), State("uk", 3, SubscriptionStatus.Active, 1000, "GBP"),
            State("eu", 10, SubscriptionStatus.Canceled, 1000, "EUR"),
        ];

        var report = SaasReport.Build(states, MetricsPolicy.Default, T0, T0.AddDays(5), UsdWithEurAndJpy);
        var later = SaasReport.Build(states, MetricsPolicy.Default, T0, T0.AddDays(20), UsdWithEurAndJpy);

        Assert.Equal(3085L * 12, report.Window.EndTwelfths);
        Assert.Equal(3085L * 12, report.Window.MovementTwelfths[MovementKind.New]);
        Assert.Equal(3, report.Window.PayingAtEnd);
        Assert.Equal(["GBP"], report.Unconverted);
        Assert.Equal(-1080L * 12, later.Window.MovementTwelfths[MovementKind.Churn]);
        Assert.Equal(2005L * 12, later.Window.EndTwelfths);
    }

    [Fact]
    public void ConvertedMovementsStillAddUpToTheEndExactly()
    {
        // €0.01 a month at 1.08 gives 12.96 twelfths of a cent: each running total is rounded once, so start + movements = end.
        var rates = new ReportingRates("USD", new Dictionary<string, decimal> { ["EUR"] = 1.08m });
        SubscriptionState[] states =
        [
            State("a", 0, SubscriptionStatus.Active, 1, "EUR"), State("b", 1, SubscriptionStatus.Active, 1, "EUR"),
            State("a", 2, SubscriptionStatus.Active, 2, "EUR"), State("b", 3, SubscriptionStatus.Canceled, 1, "EUR"),
        ];

        var w = SaasReport.Build(states, MetricsPolicy.Default, T0.AddHours(12), T0.AddDays(4), rates).Window;

        Assert.Equal(w.EndTwelfths, w.StartTwelfths + w.MovementTwelfths.Values.Sum());
        Assert.Equal(13L, w.StartTwelfths); // 12.96 rounded
        Assert.Equal(26L, w.EndTwelfths); // 24 × 1.08 = 25.92 rounded
    }

    [Fact]
    public void AnLlmCostInNanoUsdConvertsExactlyAtUsdsRateAndIsLeftOutWithoutOne()
    {
        var euros = new ReportingRates("EUR", new Dictionary<string, decimal> { ["USD"] = 0.92m });
        var yen = new ReportingRates("JPY", new Dictionary<string, decimal> { ["USD"] = 150m });

        // $4.60 is 4,600,000,000 nano-USD: 460 cents × 0.92 = 423.2 euro cents; one nano-USD is 9.2 × 10⁻⁸ of a cent, kept.
        Assert.Equal(423.2m, euros.FromNanoUsd(4_600_000_000));
        Assert.Equal(0.000000092m, euros.FromNanoUsd(1));
        Assert.Equal(0.1501500m, yen.FromNanoUsd(1_001_000)); // $0.001001 × 150 = ¥0.15015, no minor unit to scale by
        Assert.Equal(460m, ReportingRates.Only("USD").FromNanoUsd(4_600_000_000));
        Assert.Null(ReportingRates.Only("EUR").FromNanoUsd(1));
    }
}
