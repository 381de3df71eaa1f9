using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Catalog;

public sealed class OverageTiersDocumentTests
{
    private static string Document(string planFeature) => $$"""
        {"features": [{"code": "calls", "name": "Calls", "unit": "calls", "kind": "metered"}],
         "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [{{planFeature}}]}]}
        """;

    [Fact]
    public void TiersAreReadWithDefaultsAndAnInfiniteLastTier()
    {
        var result = CatalogDocument.Parse(Document("""
            {"feature_code": "calls", "limit": 1000, "hard_cap": false, "tiers_mode": "volume",
             "overage_tiers": [{"up_to": 10000, "unit_price_cents": 2, "per_units": 1000}, {"up_to": "inf", "unit_price_cents": 1, "flat_cents": 50}]}
            """));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var tiers = result.Catalog!.Plans[0].Terms.Features[0].OverageTiers!;
        Assert.Equal(TiersMode.Volume, tiers.Mode);
        Assert.Equal([new OverageTier(10_000, 2, 1_000, 0), new OverageTier(null, 1, 1, 50)], tiers.Tiers);
    }

    [Fact]
    public void ExportWritesTiersCanonicallyAndReadsBackTheSame()
    {
        var parsed = CatalogDocument.Parse(Document("""
            {"feature_code": "calls", "limit": 10, "hard_cap": false, "overage_tiers": [{"up_to": 5, "unit_price_cents": 7}, {"unit_price_cents": 6}]}
            """)).Catalog!;

        var exported = CatalogDocumentWriter.Write(parsed);
        var again = CatalogDocument.Parse(exported).Catalog!;

        Assert.Contains("\"tiers_mode\":\"graduated\"", exported.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal),
            StringComparison.Ordinal);
        Assert.Contains("\"up_to\":null", exported.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(parsed.Plans[0].Terms.Features[0].OverageTiers!.Tiers, again.Plans[0].Terms.Features[0].OverageTiers!.Tiers);
        Assert.Equal(CatalogDocumentWriter.TermsHash(parsed.Plans[0].Terms), CatalogDocumentWriter.TermsHash(again.Plans[0].Terms));
    }

    [Theory]
    [InlineData("""[{"up_to": 10, "unit_price_cents": 2}, {"up_to": 5, "unit_price_cents": 1}, {"up_to": null}]""",
        "plans[0].features[0].overage_tiers[1].up_to: must be greater than the previous tier's up_to (10)")]
    [InlineData("""[{"up_to": 10, "unit_price_cents": 2}]""",
        "plans[0].features[0].overage_tiers[0].up_to: the last tier must be open-ended (null or \"inf\")")]
    [InlineData("""[{"up_to": null, "unit_price_cents": 2}, {"unit_price_cents": 1}]""",
        "plans[0].features[0].overage_tiers[0].up_to: only the last tier may be open-ended")]
    [InlineData("""[{"up_to": 10, "unit_price_cents": -2}, {"up_to": "inf"}]""",
        "plans[0].features[0].overage_tiers[0].unit_price_cents: must be >= 0")]
    [InlineData("""[{"up_to": 10, "flat_cents": -1}, {"up_to": "inf"}]""", "plans[0].features[0].overage_tiers[0].flat_cents: must be >= 0")]
    [InlineData("""[{"up_to": "lots"}]""",
        "plans[0].features[0].overage_tiers[0].up_to: must be a whole number from 1, or null or \"inf\" for the last tier")]
    [InlineData("""[{"up_to": null, "per_units": 0}]""", "plans[0].features[0].overage_tiers[0].per_units: must be >= 1")]
    [InlineData("""[]""", "plans[0].features[0].overage_tiers: must have 1 to 20 tiers")]
    public void WrongTiersAreRejectedWithAPathNamedProblem(string tiers, string expected) =>
        Assert.Equal([expected], CatalogDocument.Parse(Document(
            $$"""{"feature_code": "calls", "limit": 10, "hard_cap": false, "overage_tiers": {{tiers}}}""")).Problems.Select(p => p.ToString()));

    [Theory]
    [InlineData("""{"feature_code": "calls", "limit": 10, "overage_tiers": [{"up_to": null}]}""",
        "plans[0].features[0].overage_tiers: only applies when hard_cap is false")]
    [InlineData("""{"feature_code": "calls", "limit": 10, "hard_cap": false, "overage_unit_price_cents": 1, "overage_tiers": [{"up_to": null}]}""",
        "plans[0].features[0].overage_tiers: cannot be combined with overage_unit_price_cents")]
    [InlineData("""{"feature_code": "calls", "limit": 10, "hard_cap": false, "tiers_mode": "stairs", "overage_tiers": [{"up_to": null}]}""",
        "plans[0].features[0].tiers_mode: must be graduated or volume")]
    [InlineData("""{"feature_code": "calls", "limit": 10, "hard_cap": false, "tiers_mode": "volume"}""",
        "plans[0].features[0].tiers_mode: only applies with overage_tiers")]
    public void TiersMustFitTheRestOfThePlanFeature(string planFeature, string expected) =>
        Assert.Equal([expected], CatalogDocument.Parse(Document(planFeature)).Problems.Select(p => p.ToString()));
}
