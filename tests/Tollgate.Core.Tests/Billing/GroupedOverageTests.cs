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
    public void AnOverageLineSplitsIntoOneLinePerGroupByItsPartOfTheOverageEachQuantityTimesTheUnitPrice()
    {
        // 2,300 units over at 2 cents: the groups' parts of the overage are 2,091 and 209.
        var line = new InvoiceLine(InvoiceLineKind.Overage, "Overage: 2,300 units of Tokens past 1,000", 4600, 2300, 2, May, May.AddMonths(1), "pro", "v1",
            "tokens");

        var split = GroupedOverage.Split(line, [new("""{"model":"mini"}""", 209), new("""{"model":"gpt-4o"}""", 2091)], "Tokens", namedByFeature: true);

        Assert.Equal([("Tokens (model: gpt-4o)", 2091L, 4182L), ("Tokens (model: mini)", 209L, 418L)],
            split.Select(l => (l.Description, l.Quantity, l.AmountCents)));
        Assert.All(split, l => Assert.Equal(l.Quantity * l.UnitAmountCents, l.AmountCents));
        Assert.All(split, l => Assert.Equal((InvoiceLineKind.Overage, "tokens"), (l.Kind, l.FeatureCode)));
    }

    [Fact]
    public void AGroupLabelNamesEachPropertyAndAMissingOneReadsNone() =>
        Assert.Equal("model: gpt-4o, region: (none), tier: 2", GroupedOverage.Label("""{"model":"gpt-4o","region":null,"tier":2}"""));

    [Theory]
    [InlineData("""{"model":null}""", "model: (none)")]
    [InlineData("""{"model":"none"}""", "model: none")]
    [InlineData("""{"model":"(none)"}""", "model: \"(none)\"")]
    [InlineData("""{"model":""}""", "model: \"\"")]
    [InlineData("""{"model":" x"}""", "model: \" x\"")]
    [InlineData("""{"model":7}""", "model: 7")]
    [InlineData("""{"model":"7"}""", "model: \"7\"")]
    [InlineData("""{"model":"\" x\""}""", "model: \"\\\" x\\\"\"")]
    public void NoTwoGroupsReadAlikeOnAnInvoiceLine(string key, string label) => Assert.Equal(label, GroupedOverage.Label(key));

    [Fact]
    public void StartedPackagesAreSplitWholeAndAGroupWhosePartRoundsToNoPackageGetsNoLine()
    {
        var line = new InvoiceLine(InvoiceLineKind.Overage, "Overage (3 started packages of 1,000)", 1500, 3, 500, May, May.AddMonths(1), "pro", "v1",
            "tokens");

        var split = GroupedOverage.Split(line, [new("""{"model":"mini"}""", 209), new("""{"model":"gpt-4o"}""", 2091)], "Tokens", namedByFeature: true);

        Assert.Equal([("Tokens (model: gpt-4o)", 3L, 1500L)], split.Select(l => (l.Description, l.Quantity, l.AmountCents)));
    }

    [Fact]
    public void ATierPricedPerHundredUnitsSplitsItsOwnUnitsAndItsAmountByTheGroupsParts()
    {
        // 2,000 over: 1,000 in tier 1 at 1 cent per 100 (10 cents), 1,000 in tier 2 at 1 cent per 300 plus 50 flat (53 cents).
        // The groups' parts of the overage are 1,516 and 484: each tier's 1,000 units go 758 and 242.
        var tier1 = new InvoiceLine(InvoiceLineKind.Overage, "Tokens, tier 1 (1–1,000): 1,000 × 0.01 per 100", 10, 1000, 0, May, May.AddMonths(1),
            "basic", "v1", "tokens");
        var tier2 = tier1 with { Description = "Tokens, tier 2 (1,001 and up): 1,000 × 0.01 per 300 + 0.50 flat", AmountCents = 53 };
        OverageGroup[] groups = [new("""{"model":"gpt-4o"}""", 1516), new("""{"model":"mini"}""", 484)];

        var split = new[] { tier1, tier2 }.SelectMany(l => GroupedOverage.Split(l, groups, "Tokens", namedByFeature: false)).ToList();

        Assert.Equal([(758L, 8L), (242L, 2L), (758L, 40L), (242L, 13L)], split.Select(l => (l.Quantity, l.AmountCents)));
        Assert.Equal("Tokens, tier 1 (1–1,000): 1,000 × 0.01 per 100 (model: gpt-4o)", split[0].Description);
    }

    [Fact]
    public void GroupLinesAddUpToTheLineAndEachIsItsQuantityTimesTheUnitPrice() =>
        Check.QuickThrowOnFailure(Prop.ForAll(Gen.Choose(1, 5000).ToArbitrary(), Gen.Choose(1, 500).ToArbitrary(),
            Gen.Choose(0, 10_000).NonEmptyListOf().ToArbitrary(), (quantity, unit, parts) =>
            {
                var groups = parts.Select((p, i) => new OverageGroup($$"""{"g":{{i}}}""", p)).ToList();
                var line = new InvoiceLine(InvoiceLineKind.Overage, "o", (long)quantity * unit, quantity, unit, May, May.AddMonths(1), "pro", "v1", "t");
                var split = GroupedOverage.Split(line, groups, "T", namedByFeature: true);
                return split.Sum(l => l.AmountCents) == line.AmountCents && split.Sum(l => l.Quantity) == line.Quantity
                    && split.All(l => l.Quantity * l.UnitAmountCents == l.AmountCents);
            }));

    [Fact]
    public void GroupLinesOfALineNotPricedPerUnitAddUpToItsQuantityAndItsAmount() =>
        Check.QuickThrowOnFailure(Prop.ForAll(Gen.Choose(1, 5000).ToArbitrary(), Gen.Choose(1, 100_000).ToArbitrary(),
            Gen.Choose(0, 10_000).NonEmptyListOf().ToArbitrary(), (quantity, amount, parts) =>
            {
                var groups = parts.Select((p, i) => new OverageGroup($$"""{"g":{{i}}}""", p)).ToList();
                var line = new InvoiceLine(InvoiceLineKind.Overage, "o", amount, quantity, 0, May, May.AddMonths(1), "pro", "v1", "t");
                var split = GroupedOverage.Split(line, groups, "T", namedByFeature: false);
                return split.Sum(l => l.AmountCents) == line.AmountCents && split.Sum(l => l.Quantity) == line.Quantity;
            }));
}
