using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Tests.Billing;

/// <summary>Overage per started package (the example 6): a part package is billed whole, and never twice.</summary>
public sealed class OveragePackageTests
{
    private static readonly OveragePackage FivePerThousand = new(1000, 500);

    private static PlanVersion Version(OveragePackage package) => Plans.Version("pro", 2900) is var v
        ? v with { Terms = v.Terms with { Features = [new PlanFeature("tokens", FeatureKind.Metered, 1000, HardCap: false, false, null, true, null, [],
            OveragePackage: package)] } }
        : v;

    [Fact]
    public void ASoftCapOf1000With3300UsedBills2300OverAsThreeStartedPackagesFor15Dollars()
    {
        var period = new BillingPeriod(Plans.Utc(2026, 1, 1), Plans.Utc(2026, 2, 1));
        var window = new OverageWindow("tokens", period.Start, new CounterState(3300, 0, 0), 0);

        var line = Assert.Single(Overage.Lines(Version(FivePerThousand), [new Feature("tokens", "Tokens", "", "tokens", FeatureKind.Metered)],
            [window], period));

        Assert.Equal((1500L, 3L, 500L), (line.AmountCents, line.Quantity, line.UnitAmountCents));
        Assert.Equal("Overage: 2,300 tokens of Tokens past 1,000 (3 started packages of 1,000)", line.Description);
    }

    [Fact]
    public void UnitsThatStayInsideAPackageAlreadyBilledMakeNoLine()
    {
        var period = new BillingPeriod(Plans.Utc(2026, 1, 1), Plans.Utc(2026, 2, 1));
        // 1,300 past the limit billed 2 packages; 1,900 past still fills the second.
        var window = new OverageWindow("tokens", period.Start, new CounterState(2900, 0, 0), 1300);

        Assert.Empty(Overage.Lines(Version(FivePerThousand), [new Feature("tokens", "Tokens", "", "tokens", FeatureKind.Metered)],
            [window], period));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 1, 1)]
    [InlineData(0, 1000, 1)]
    [InlineData(0, 1001, 2)]
    [InlineData(1300, 1000, 1)] // billed 2 packages for 1,300 before; 2,300 in all starts only a third
    [InlineData(1000, 1, 1)]
    [InlineData(999, 1, 0)]
    public void AWindowBilledInPartsIsChargedThePackagesOfItsWholeCount(long billed, long units, long packages) =>
        Assert.Equal(packages, FivePerThousand.NewPackages(billed, units));

    [Theory]
    [InlineData("\"hard_cap\": true, \"overage_package\": {\"size\": 1000, \"price_cents\": 500}",
        "plans[0].features[0].overage_package: only applies when hard_cap is false")]
    [InlineData("\"hard_cap\": false, \"overage_unit_price_cents\": 1, \"overage_package\": {\"size\": 1000, \"price_cents\": 500}",
        "plans[0].features[0].overage_package: cannot be combined with overage_unit_price_cents or overage_tiers")]
    [InlineData("\"hard_cap\": false, \"overage_package\": {\"size\": 0, \"price_cents\": 500}",
        "plans[0].features[0].overage_package.size: must be >= 1")]
    [InlineData("\"hard_cap\": false, \"overage_package\": {\"size\": 10}",
        "plans[0].features[0].overage_package.price_cents: is required")]
    public void ABadOveragePackageIsRefusedNamingItsPath(string fields, string expected)
    {
        var document = $$"""
            {"features": [{"code": "tokens", "name": "Tokens", "kind": "metered"}],
             "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [{"feature_code": "tokens", "limit": 1000, {{fields}}}]}]}
            """;

        Assert.Equal([expected], CatalogDocument.Parse(document).Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void AnOveragePackageRoundTripsThroughExport()
    {
        var document = """
            {"features": [{"code": "tokens", "name": "Tokens", "kind": "metered"}],
             "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [{"feature_code": "tokens", "limit": 1000, "hard_cap": false,
               "overage_package": {"size": 1000, "price_cents": 500}}]}]}
            """;

        var again = CatalogDocument.Parse(CatalogDocumentWriter.Write(CatalogDocument.Parse(document).Catalog!));

        Assert.Equal(FivePerThousand, again.Catalog!.Plans[0].Terms.Features[0].OveragePackage);
    }
}
