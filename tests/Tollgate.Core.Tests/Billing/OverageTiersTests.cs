using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Billing;

/// <summary>Tiered overage with Stripe's semantics, checked to the cent against Stripe's own worked examples.</summary>
public sealed class OverageTiersTests
{
    // Stripe's "Set up tiered pricing" guide (Typographic): fonts 1-5 at 7 USD, 6-10 at 6.50 USD, 11+ at 6 USD.
    private static readonly OverageTier[] Typographic = [new(5, 700), new(10, 650), new(null, 600)];

    [Theory]
    [InlineData(1, 700)]
    [InlineData(5, 3500)]
    [InlineData(6, 3900)]
    [InlineData(20, 12000)]
    [InlineData(25, 15000)]
    public void VolumeTiersPriceEveryUnitAtTheTierReachedAsInStripesTypographicTable(long quantity, long cents) =>
        Assert.Equal(cents, new OverageTiers(TiersMode.Volume, Typographic).TotalCents(quantity));

    [Theory]
    [InlineData(1, 700)]
    [InlineData(5, 3500)]
    [InlineData(6, 4150)]
    [InlineData(20, 12750)]
    [InlineData(25, 15750)]
    public void GraduatedTiersPriceEachTiersUnitsAtItsOwnPriceAsInStripesTypographicTable(long quantity, long cents) =>
        Assert.Equal(cents, new OverageTiers(TiersMode.Graduated, Typographic).TotalCents(quantity));

    [Fact]
    public void GraduatedChargeHasOneLinePerTierUsed()
    {
        var charges = new OverageTiers(TiersMode.Graduated, Typographic).Price(12);

        Assert.Equal([(1, 1L, 5L, 3500L), (2, 6L, 5L, 3250L), (3, 11L, 2L, 1200L)],
            charges.Select(c => (c.Tier, c.FirstUnit, c.Quantity, c.AmountCents)));
    }

    [Fact]
    public void VolumeChargeIsOneLineAtTheTierReached() =>
        Assert.Equal([(2, 6L, 3900L)], new OverageTiers(TiersMode.Volume, Typographic).Price(6).Select(c => (c.Tier, c.Quantity, c.AmountCents)));

    [Theory]
    [InlineData(1_000, 1)]
    [InlineData(1_499, 1)] // 1.499 cents rounds down
    [InlineData(1_500, 2)] // 1.5 cents rounds half-up
    [InlineData(250_000, 250)]
    [InlineData(499, 0)]
    public void OneCentPerThousandCallsRoundsHalfUpOncePerTierLine(long calls, long cents) =>
        Assert.Equal(cents, new OverageTiers(TiersMode.Graduated, [new(null, 1, PerUnits: 1_000)]).TotalCents(calls));

    [Fact]
    public void FlatFeeIsChargedOnceForEachTierReached()
    {
        // Graduated with flat fees: 0.10 per unit up to 100 plus 5.00 flat, then 0.05 per unit plus 10.00 flat.
        var tiers = new OverageTiers(TiersMode.Graduated, [new(100, 10, FlatCents: 500), new(null, 5, FlatCents: 1_000)]);

        Assert.Equal(500 + 1_000, tiers.TotalCents(100));
        Assert.Equal(500 + 1_000 + 1_000 + 5, tiers.TotalCents(101));
    }

    [Fact]
    public void HugeQuantitiesPriceExactlyWithoutOverflow() =>
        Assert.Equal(3_000_000_000_000L, new OverageTiers(TiersMode.Volume, [new(null, 3_000_000, PerUnits: 1)]).TotalCents(1_000_000));

    [Fact]
    public void NoOverageIsNoCharge() => Assert.Empty(new OverageTiers(TiersMode.Volume, Typographic).Price(0));

    [Fact]
    public void AGraduatedSecondPartGoesOnInTheTiersWhereTheFirstPartStopped()
    {
        // The first bill took units 1–3 of the Typographic tiers; the second prices units 4–12: 2 in tier 1, 5 in tier 2, 2 in tier 3.
        var charges = new OverageTiers(TiersMode.Graduated, Typographic).Price(billed: 3, quantity: 9);

        Assert.Equal([(1, 4L, 2L, 1400L), (2, 6L, 5L, 3250L), (3, 11L, 2L, 1200L)],
            charges.Select(c => (c.Tier, c.FirstUnit, c.Quantity, c.AmountCents)));
    }

    [Fact]
    public void GraduatedPartsAddUpToTheOneBillPriceToTheCentWithFlatFeesAndRounding()
    {
        // Half a cent per unit rounds on each tier's running count; the flat fee goes with the tier's first unit.
        var tiers = new OverageTiers(TiersMode.Graduated, [new(1_000, 1, PerUnits: 2, FlatCents: 300), new(null, 3, PerUnits: 7, FlatCents: 50)]);
        var cuts = Gen.Choose(0, 3_000).ListOf().Select(l => l.OrderBy(x => x).ToArray());
        Check.QuickThrowOnFailure(Prop.ForAll(cuts.ToArbitrary(), Gen.Choose(1, 3_000).ToArbitrary(), (points, total) =>
        {
            var edges = points.Where(p => p < total).Prepend(0).Append(total).Distinct().ToArray();
            var parts = edges.Zip(edges.Skip(1), (from, to) => tiers.Price(from, to - from).Sum(c => c.AmountCents)).Sum();
            return parts == tiers.TotalCents(total);
        }));
    }

    [Fact]
    public void AVolumeSecondPartRepricesTheWholeCountAtTheTierReachedLessTheFirstPart()
    {
        var tiers = new OverageTiers(TiersMode.Volume, Typographic);

        var charge = tiers.Price(billed: 5, quantity: 3).Single(); // 8 × 6.50 = 52.00, less the 35.00 billed for 5 at 7.00

        Assert.Equal((2, 3L, 1700L), (charge.Tier, charge.Quantity, charge.AmountCents));
        Assert.Equal("tier 2 (volume): 8 × 6.50 less 35.00 for the 5 billed before", TieredOverage.Describe(tiers, charge, "USD"));
        Assert.Equal(tiers.TotalCents(8), tiers.TotalCents(5) + charge.AmountCents);
    }

    [Fact]
    public void AZeroDecimalCurrencysTiersReadInWholeYenAndAThreeDecimalOnesInThousandths()
    {
        var tiers = new OverageTiers(TiersMode.Graduated, [new(10, 11), new(null, 5, PerUnits: 2, FlatCents: 100)]);

        var charges = tiers.Price(billed: 0, quantity: 33).ToList();

        Assert.Equal(["tier 1 (1–10): 10 × 11", "tier 2 (11 and up): 23 × 5 per 2 + 100 flat"], charges.Select(c => TieredOverage.Describe(tiers, c, "JPY")));
        Assert.Equal("tier 1 (1–10): 10 × 0.011", TieredOverage.Describe(tiers, charges[0], "KWD"));
    }
}
