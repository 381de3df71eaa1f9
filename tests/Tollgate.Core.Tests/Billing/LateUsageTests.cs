using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Tests.Billing;

/// <summary>Re-rating an invoiced window after late events: the charge now minus what was billed, by the overage's own prices.</summary>
public sealed class LateUsageTests
{
    private static readonly BillingPeriod October = new(Plans.Utc(2026, 10, 1), Plans.Utc(2026, 11, 1));
    private static readonly Feature[] Features = [new("storage", "Storage", "", "GB", FeatureKind.Metered)];

    private static PlanVersion Version(long? unitCents = null, OveragePackage? package = null) => Plans.Version("pro", 2000) is var v
        ? v with { Terms = v.Terms with { Features = [new PlanFeature("storage", FeatureKind.Metered, 5, HardCap: false, false, unitCents, true, null, [],
            OveragePackage: package)] } }
        : v;

    private static (InvoiceLine? Line, long Billed) Rerate(PlanVersion version, long used, long billed) =>
        LateUsage.Rerate(version, Features, new OverageWindow("storage", October.Start, new CounterState(used, 0, 0), billed), October);

    [Fact]
    public void APeakOf9ForAWindowBilledAt7WithALimitOf5AddsTwoUnitsAtTheOveragePrice()
    {
        var (line, billed) = Rerate(Version(unitCents: 25), used: 9, billed: 2);

        Assert.Equal((InvoiceLineKind.LateUsage, "Storage (GB), late usage for Oct 1 - Nov 1 2026", 2L, 25L, 50L),
            (line!.Kind, line.Description, line.Quantity, line.UnitAmountCents, line.AmountCents));
        Assert.Equal(4, billed);
    }

    [Fact]
    public void UsageThatFellBelowWhatWasBilledIsACreditAtTheSamePrice()
    {
        var (line, billed) = Rerate(Version(unitCents: 25), used: 6, billed: 3);

        Assert.Equal((-2L, 25L, -50L), (line!.Quantity, line.UnitAmountCents, line.AmountCents));
        Assert.Equal(1, billed);
    }

    [Fact]
    public void AWindowWhoseBilledOverageIsUnchangedHasNoLine() =>
        Assert.Equal((null, 2L), Rerate(Version(unitCents: 25), used: 7, billed: 2));

    [Fact]
    public void UnitsInsideAPackageAlreadyPaidForChangeNoMoneyAndTheNextPackageIsChargedWhole()
    {
        var tenPer100Cents = Version(package: new OveragePackage(10, 100));

        Assert.Equal((null, 8L), Rerate(tenPer100Cents, used: 13, billed: 3));
        var (line, billed) = Rerate(tenPer100Cents, used: 17, billed: 3);
        Assert.Equal((9L, 100L), (line!.Quantity, line.AmountCents));
        Assert.Equal(12, billed);
    }

    [Theory]
    [InlineData(2026, 10, 1, 2026, 11, 1, "Oct 1 - Nov 1 2026")]
    [InlineData(2026, 12, 1, 2027, 1, 1, "Dec 1 2026 - Jan 1 2027")]
    public void AWindowIsNamedByItsDaysWithTheYearOnceUnlessItCrossesOne(int y1, int m1, int d1, int y2, int m2, int d2, string expected) =>
        Assert.Equal(expected, LateUsage.Span(new BillingPeriod(Plans.Utc(y1, m1, d1), Plans.Utc(y2, m2, d2))));
}
