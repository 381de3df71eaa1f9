namespace Tollgate.Core.Experiments;

/// <summary>What the store counted for one variant: distinct exposed visitors, converted visitors, and their MRR in twelfths of a cent.</summary>
public sealed record VariantCounts(string Variant, long Visitors, long Conversions, long MrrTwelfths);

/// <summary>One variant's results; the comparison fields are null for control and when undefined.</summary>
public sealed record VariantResult(
    string Variant,
    bool IsControl,
    long Visitors,
    long Conversions,
    double ConversionRate,
    Interval ConversionInterval,
    long MrrCents,
    decimal MrrPerVisitorCents,
    double? PValue,
    double? RelativeLift);

public static class ExperimentResults
{
    /// <summary>Per-variant rates with Wilson 95% intervals, and each challenger's z-test p-value and lift against control.</summary>
    public static IReadOnlyList<VariantResult> Compute(Experiment experiment, IReadOnlyList<VariantCounts> counts)
    {
        VariantCounts Of(string key) => counts.FirstOrDefault(c => c.Variant == key) ?? new VariantCounts(key, 0, 0, 0);
        var control = Of(ExperimentVariant.ControlKey);
        return [.. experiment.Variants.Select(v =>
        {
            var c = Of(v.Key);
            return new VariantResult(
                v.Key,
                v.IsControl,
                c.Visitors,
                c.Conversions,
                c.Visitors == 0 ? 0 : c.Conversions / (double)c.Visitors,
                Statistics.Wilson(c.Conversions, c.Visitors),
                MrrCents(c.MrrTwelfths),
                c.Visitors == 0 ? 0 : Math.Round(c.MrrTwelfths / 12m / c.Visitors, 2, MidpointRounding.AwayFromZero),
                v.IsControl ? null : Statistics.TwoProportionPValue(control.Conversions, control.Visitors, c.Conversions, c.Visitors),
                v.IsControl ? null : Statistics.RelativeLift(control.Conversions, control.Visitors, c.Conversions, c.Visitors));
        })];
    }

    /// <summary>Twelfths of a cent to whole cents, half away from zero, in integer arithmetic.</summary>
    public static long MrrCents(long twelfths) => (twelfths + 6) / 12;
}
