using Tollgate.Core.Experiments;

namespace Tollgate.Core.Tests.Experiments;

public sealed class ExperimentStatisticsTests
{
    // Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of seven methods",
    // Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score, no continuity correction), to 4 places.
    [Theory]
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(15, 148, 0.0624, 0.1605)]
    [InlineData(0, 20, 0.0000, 0.1611)]
    [InlineData(1, 29, 0.0061, 0.1718)]
    public void WilsonIntervalMatchesNewcombesWorkedExamples(long successes, long trials, double low, double high)
    {
        var interval = Statistics.Wilson(successes, trials);

        Assert.Equal(low, interval.Low, 4);
        Assert.Equal(high, interval.High, 4);
    }

    [Fact]
    public void ZTestOf200In1000Against250In1000MatchesTheHandComputation()
    {
        // Pooled p = 450/2000 = 0.225; SE = sqrt(0.225 * 0.775 * (1/1000 + 1/1000)) = sqrt(0.00034875) = 0.0186748;
        // z = (0.25 - 0.20) / 0.0186748 = 2.67740; two-sided p = 2 * (1 - Phi(2.67740)) = 0.0074196 (erfc(z/sqrt 2)).
        var z = Statistics.TwoProportionZ(200, 1000, 250, 1000);
        var p = Statistics.TwoProportionPValue(200, 1000, 250, 1000);

        Assert.Equal(2.67740, z!.Value, 5);
        Assert.Equal(0.0074196, p!.Value, 6);
    }

    [Fact]
    public void ZTestOf100In1000Against120In1000IsNotSignificant()
    {
        // Pooled p = 0.11; SE = sqrt(0.11 * 0.89 * 0.002) = 0.0139929; z = 0.02 / 0.0139929 = 1.42930; p = 0.152918.
        Assert.Equal(0.152918, Statistics.TwoProportionPValue(100, 1000, 120, 1000)!.Value, 5);
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.959963984540054, 0.975)]
    [InlineData(-1.959963984540054, 0.025)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(3.0, 0.9986501019683699)]
    public void NormalCdfIsWithinTheAbramowitzAndStegunBound(double x, double expected) =>
        Assert.InRange(Statistics.NormalCdf(x) - expected, -7.5e-8, 7.5e-8);

    [Fact]
    public void RelativeLiftIsTheChallengersRateOverControlsMinusOne()
    {
        Assert.Equal(0.25, Statistics.RelativeLift(200, 1000, 250, 1000)!.Value, 10);
        Assert.Equal(-0.5, Statistics.RelativeLift(100, 1000, 50, 1000)!.Value, 10);
        Assert.Null(Statistics.RelativeLift(0, 1000, 50, 1000));
    }

    [Fact]
    public void UndefinedStatisticsAreNullNotNaN()
    {
        Assert.Null(Statistics.TwoProportionPValue(0, 0, 5, 100));
        Assert.Null(Statistics.TwoProportionPValue(0, 100, 0, 100));
        Assert.Equal(new Interval(0, 1), Statistics.Wilson(0, 0));
    }

    [Fact]
    public void ResultsGiveMrrPerVisitorInCentsAndCompareChallengersToControl()
    {
        var experiment = new Experiment("exp_1", "pro price", ExperimentStatus.Running,
            [new("control", 1, []), new("cheaper", 1, [])], DateTimeOffset.UnixEpoch, null, null);

        // control: 4 of 100 at 2999/month; cheaper: 6 of 100 at 2499/month (twelfths = cents * 12).
        var results = ExperimentResults.Compute(experiment,
            [new VariantCounts("control", 100, 4, 4 * 2999 * 12), new VariantCounts("cheaper", 100, 6, 6 * 2499 * 12)]);

        Assert.Equal((11996L, 119.96m, (double?)null), (results[0].MrrCents, results[0].MrrPerVisitorCents, results[0].PValue));
        Assert.Equal((14994L, 149.94m), (results[1].MrrCents, results[1].MrrPerVisitorCents));
        Assert.Equal(0.5, results[1].RelativeLift!.Value, 10);
        Assert.Equal(Statistics.TwoProportionPValue(4, 100, 6, 100), results[1].PValue);
    }
}
