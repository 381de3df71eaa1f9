namespace Tollgate.Core.Experiments;

/// <summary>A two-sided interval for a proportion.</summary>
public sealed record Interval(double Low, double High);

/// <summary>
/// The statistics of a conversion experiment. Doubles are used for these ratios only, never for money. Formulas and
/// their sources are in docs/experiments.md.
/// </summary>
public static class Statistics
{
    /// <summary>The standard normal quantile for a two-sided 95% interval, z(0.975).</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>The Wilson score interval (Wilson 1927; Newcombe 1998, method 3) for successes out of trials.</summary>
    public static Interval Wilson(long successes, long trials, double z = Z95)
    {
        if (trials <= 0)
        {
            return new Interval(0, 1);
        }

        double n = trials;
        var p = successes / n;
        var z2 = z * z;
        var centre = (p + (z2 / (2 * n))) / (1 + (z2 / n));
        var half = z / (1 + (z2 / n)) * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n)));
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>The pooled two-proportion z statistic of b against a; null when it is undefined (no trials, or a pooled rate of 0 or 1).</summary>
    public static double? TwoProportionZ(long successesA, long trialsA, long successesB, long trialsB)
    {
        if (trialsA <= 0 || trialsB <= 0)
        {
            return null;
        }

        double nA = trialsA, nB = trialsB;
        var pooled = (successesA + successesB) / (nA + nB);
        var se = Math.Sqrt(pooled * (1 - pooled) * ((1 / nA) + (1 / nB)));
        return se == 0 ? null : ((successesB / nB) - (successesA / nA)) / se;
    }

    /// <summary>The two-sided p-value of the pooled two-proportion z-test, 2·(1 − Φ(|z|)).</summary>
    public static double? TwoProportionPValue(long successesA, long trialsA, long successesB, long trialsB) =>
        TwoProportionZ(successesA, trialsA, successesB, trialsB) is { } z ? Math.Min(1, 2 * (1 - NormalCdf(Math.Abs(z)))) : null;

    /// <summary>(rate b − rate a) / rate a; null when a has no trials or no successes.</summary>
    public static double? RelativeLift(long successesA, long trialsA, long successesB, long trialsB)
    {
        if (trialsA <= 0 || trialsB <= 0 || successesA == 0)
        {
            return null;
        }

        var rateA = successesA / (double)trialsA;
        return ((successesB / (double)trialsB) - rateA) / rateA;
    }

    /// <summary>Φ(x) = (1 + erf(x/√2)) / 2.</summary>
    public static double NormalCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>
    /// erf by Abramowitz and Stegun, Handbook of Mathematical Functions (1964), formula 7.1.26: |error| ≤ 1.5e-7 for all x,
    /// so Φ is within 7.5e-8 and a p-value within 1.5e-7.
    /// </summary>
    public static double Erf(double x)
    {
        const double p = 0.3275911, a1 = 0.254829592, a2 = -0.284496736, a3 = 1.421413741, a4 = -1.453152027, a5 = 1.061405429;
        var sign = Math.Sign(x);
        x = Math.Abs(x);
        var t = 1 / (1 + (p * x));
        var poly = ((((((((a5 * t) + a4) * t) + a3) * t) + a2) * t) + a1) * t;
        var y = 1 - (poly * Math.Exp(-x * x));
        return sign * y;
    }
}
