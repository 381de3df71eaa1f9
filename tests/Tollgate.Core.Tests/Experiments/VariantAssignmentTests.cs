using Tollgate.Core.Experiments;

namespace Tollgate.Core.Tests.Experiments;

public sealed class VariantAssignmentTests
{
    private static readonly IReadOnlyList<ExperimentVariant> Halves = [new("control", 50, []), new("b", 50, [])];

    [Fact]
    public void AVisitorGetsTheSameVariantEveryTime()
    {
        var first = Enumerable.Range(0, 1000).Select(i => VariantAssignment.Assign("exp_1", $"visitor-{i}", Halves).Key).ToList();
        var again = Enumerable.Range(0, 1000).Select(i => VariantAssignment.Assign("exp_1", $"visitor-{i}", Halves).Key).ToList();

        Assert.Equal(first, again);
    }

    [Fact]
    public void AssignmentIsAFixedFunctionOfTheHashSoEveryNodeAndVersionAgrees()
    {
        // SHA-256("exp_1\0alice") begins f4444d02dae796f8, and floor(0xf4444d02dae796f8 * 100 / 2^64) = 95 (computed with Python's hashlib).
        Assert.Equal((95UL, 50UL, 42UL), (VariantAssignment.Point("exp_1", "alice", 100), VariantAssignment.Point("exp_1", "bob", 100),
            VariantAssignment.Point("exp_1", "ivan", 100)));
        // Points 0-49 are control's and 50-99 are b's.
        Assert.Equal(["b", "b", "control"], new[] { "alice", "bob", "ivan" }.Select(v => VariantAssignment.Assign("exp_1", v, Halves).Key));
    }

    [Fact]
    public void TenThousandVisitorsAtFiftyFiftyLandWithin4800And5200()
    {
        var control = Enumerable.Range(0, 10_000).Count(i => VariantAssignment.Assign("exp_split", $"visitor-{i}", Halves).IsControl);

        Assert.InRange(control, 4800, 5200);
    }

    [Fact]
    public void WeightsSplitVisitorsInProportion()
    {
        IReadOnlyList<ExperimentVariant> variants = [new("control", 1, []), new("b", 3, [])];

        var b = Enumerable.Range(0, 10_000).Count(i => VariantAssignment.Assign("exp_weights", $"visitor-{i}", variants).Key == "b");

        Assert.InRange(b, 7300, 7700);
    }
}
