using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Billing;

namespace Tollgate.Core.Tests.Billing;

public sealed class GroupedOverageTests
{
    private static readonly DateTimeOffset May = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FifteenDollarsOverGpt4o3000AndMini300GivesTheLeftoverCentToTheLargerRemainder() =>
        Assert.Equal([1364L, 136L], GroupedOverage.Allot(1500, [3000, 300]));

    [Fact]
    public void ATieInRemaindersGoesToTheEarlierGroup() => Assert.Equal([34L, 33L, 33L], GroupedOverage.Allot(100, [1, 1, 1]));

    [Fact]
    public void GroupsThatAllWeighZeroLeaveTheWholeChargeToTheFirst() => Assert.Equal([700L, 0L], GroupedOverage.Allot(700, [0, 0]));

    [Fact]
    public void AllottedSharesAlwaysAddUpToTheTotalAndEachIsWithinOneOfItsExactShare() =>
        Check.QuickThrowOnFailure(Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), Gen.Choose(0, 10_000).NonEmptyListOf().ToArbitrary(),
            (total, weights) =>
            {
                var w = weights.Select(x => (long)x).ToList();
                var shares = GroupedOverage.Allot(total, w);
                var sum = w.Sum();
                return shares.Sum() == total && (sum == 0 || shares.Select((s, i) => Math.Abs(s * (decimal)sum - total * (decimal)w[i]) < sum).All(x => x));
            }));

    [Fact]
    public void AnOverageLineSplitsIntoOneLinePerGroupNamedByTheGroupWithItsQuantity()
    {
        var line = new InvoiceLine(InvoiceLineKind.Overage, "Overage: 2,300 units of Tokens past 1,000", 1500, 3, 500, May, May.AddMonths(1), "pro", "v1",
            "tokens");

        var split = GroupedOverage.Split(line, [new("""{"model":"mini"}""", 300), new("""{"model":"gpt-4o"}""", 3000)], "Tokens", namedByFeature: true);

        Assert.Equal([("Tokens (model: gpt-4o)", 3000L, 1364L), ("Tokens (model: mini)", 300L, 136L)],
            split.Select(l => (l.Description, l.Quantity, l.AmountCents)));
        Assert.All(split, l => Assert.Equal((InvoiceLineKind.Overage, "tokens"), (l.Kind, l.FeatureCode)));
    }

    [Fact]
    public void AGroupLabelNamesEachPropertyAndAMissingOneReadsNone() =>
        Assert.Equal("model: gpt-4o, region: none, tier: 2", GroupedOverage.Label("""{"model":"gpt-4o","region":null,"tier":2}"""));
}
