using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Catalog;

/// <summary>Tiered overage in several currencies (issue 33): <c>currency_options: {"EUR": {"overage_tiers": [...]}}</c>.</summary>
public sealed class TieredCurrencyOptionsTests
{
    private const string UsdTiers = """[{"up_to": 100, "unit_price_cents": 10}, {"up_to": null, "unit_price_cents": 5, "flat_cents": 200}]""";
    private const string EurTiers = """[{"up_to": 100, "unit_price_cents": 9}, {"up_to": "inf", "unit_price_cents": 4, "flat_cents": 180}]""";

    private static string Document(string options, string mode = "volume") => $$"""
        {"features": [{"code": "calls", "name": "Calls", "unit": "calls", "kind": "metered"}],
         "plans": [{"code": "pro", "name": "Pro",
           "prices": [{"billing_period": "monthly", "price_cents": 2000, "currency": "USD"}, {"billing_period": "monthly", "price_cents": 1800, "currency": "EUR"}],
           "features": [{"feature_code": "calls", "limit": 1000, "hard_cap": false, "tiers_mode": "{{mode}}", "overage_tiers": {{UsdTiers}},
                         "currency_options": {{options}}}]}]}
        """;

    private static string EuroOption(string tiers) => """{"EUR": {"overage_tiers": """ + tiers + "}}";

    private static PlanTerms Terms(string options, string mode = "volume")
    {
        var parsed = CatalogDocument.Parse(Document(options, mode));
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Problems));
        return parsed.Catalog!.Plans[0].Terms;
    }

    [Fact]
    public void AnEuroOptionPricesTheOverageOfEuroTermsOnItsTiersInTheFeaturesOwnMode()
    {
        var terms = Terms(EuroOption(EurTiers));

        var euro = terms.OverageIn("EUR").Features[0].OverageTiers!;
        var dollar = terms.OverageIn("USD").Features[0].OverageTiers!;

        Assert.Equal(TiersMode.Volume, euro.Mode);
        Assert.Equal([new OverageTier(100, 9, 1, 0), new OverageTier(null, 4, 1, 180)], euro.Tiers);
        // 150 units past the limit reach tier 2, which volume prices every unit at: 180 + 150 × 4 in euro cents, 200 + 150 × 5 in dollar cents.
        Assert.Equal((780L, 950L), (euro.TotalCents(150), dollar.TotalCents(150)));
        Assert.Empty(terms.FeaturesWithoutOverageIn("EUR"));
        Assert.Equal(["calls"], terms.FeaturesWithoutOverageIn("GBP"));
    }

    [Fact]
    public void CodesInLowerCaseAsStripeWritesThemAreTheSameCurrenciesKeptInCapitals()
    {
        var parsed = CatalogDocument.Parse(Document(EuroOption(EurTiers).Replace("EUR", "eur", StringComparison.Ordinal))
            .Replace("\"currency\": \"EUR\"", "\"currency\": \"eur\"", StringComparison.Ordinal));
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Problems));

        var terms = parsed.Catalog!.Plans[0].Terms;

        Assert.Equal(["EUR", "USD"], terms.Prices.Select(p => p.Currency).Order(StringComparer.Ordinal));
        Assert.Equal(9, terms.OverageIn("EUR").Features[0].OverageTiers!.Tiers[0].UnitPriceCents);
        Assert.Equal(CatalogDocumentWriter.TermsHash(Terms(EuroOption(EurTiers))), CatalogDocumentWriter.TermsHash(terms));
    }

    [Fact]
    public void ExportWritesTheOptionsTiersCanonicallyAndReadsBackToTheSameTermsHash()
    {
        var parsed = CatalogDocument.Parse(Document(EuroOption(EurTiers))).Catalog!;

        var exported = CatalogDocumentWriter.Write(parsed);
        var again = CatalogDocument.Parse(exported);

        Assert.True(again.IsValid, string.Join("; ", again.Problems));
        Assert.Equal(CatalogDocumentWriter.Write(again.Catalog!), exported);
        Assert.Equal(CatalogDocumentWriter.TermsHash(parsed.Plans[0].Terms), CatalogDocumentWriter.TermsHash(again.Catalog!.Plans[0].Terms));
        Assert.Contains("\"per_units\": 1", exported, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangingOneEuroTierChangesTheTermsHashSoItMakesANewPlanVersion()
    {
        var before = Terms(EuroOption(EurTiers));
        var after = Terms(EuroOption(EurTiers.Replace("\"unit_price_cents\": 9", "\"unit_price_cents\": 8", StringComparison.Ordinal)));

        Assert.NotEqual(CatalogDocumentWriter.TermsHash(before), CatalogDocumentWriter.TermsHash(after));
    }

    [Theory]
    [InlineData("""{"EUR": {"overage_tiers": [{"up_to": 10, "unit_price_cents": 2}, {"up_to": 5}, {"up_to": null}]}}""",
        "plans[0].features[0].currency_options.EUR.overage_tiers[1].up_to: must be greater than the previous tier's up_to (10)")]
    [InlineData("""{"EUR": {"overage_tiers": [{"up_to": 10, "unit_price_cents": 2}]}}""",
        "plans[0].features[0].currency_options.EUR.overage_tiers[0].up_to: the last tier must be open-ended (null or \"inf\")")]
    [InlineData("""{"EUR": {"overage_tiers": [{"up_to": null, "unit_price_cents": -1}]}}""",
        "plans[0].features[0].currency_options.EUR.overage_tiers[0].unit_price_cents: must be >= 0")]
    [InlineData("""{"EUR": {"overage_tiers": []}}""", "plans[0].features[0].currency_options.EUR.overage_tiers: must have 1 to 20 tiers")]
    [InlineData("""{"EUR": {}}""", "plans[0].features[0].currency_options.EUR.overage_tiers: is required, as the feature prices overage in tiers")]
    [InlineData("""{"EUR": {"overage_tiers": null}}""",
        "plans[0].features[0].currency_options.EUR.overage_tiers: is required, as the feature prices overage in tiers")]
    [InlineData("""{"EUR": {"overage_tiers": [{"up_to": null}], "tiers_mode": "graduated"}}""",
        "plans[0].features[0].currency_options.EUR.tiers_mode: unknown field")]
    [InlineData("""{"EUR": {"overage_unit_price_cents": 3}}""", "plans[0].features[0].currency_options.EUR.overage_unit_price_cents: unknown field")]
    [InlineData("""{"EU1": {"overage_tiers": [{"up_to": null}]}}""",
        "plans[0].features[0].currency_options.EU1: must be a three-letter ISO 4217 code, such as EUR or eur")]
    [InlineData("""{"EUR": {"overage_tiers": [{"up_to": null}]}, "eur": {"overage_tiers": [{"up_to": null}]}}""",
        "plans[0].features[0].currency_options.eur: gives EUR a second time")]
    public void AWrongEuroOptionIsRefusedNamingItsPath(string options, string expected) =>
        Assert.Contains(expected, CatalogDocument.Parse(Document(options)).Problems.Select(p => p.ToString()));

    [Fact]
    public void AnOptionOnAFeatureWithoutAnOveragePriceIsRefused()
    {
        var parsed = CatalogDocument.Parse("""
            {"features": [{"code": "calls", "name": "Calls", "kind": "metered"}],
             "plans": [{"code": "pro", "name": "Pro", "prices": [],
               "features": [{"feature_code": "calls", "limit": 10, "hard_cap": false, "currency_options": {"EUR": {"overage_unit_price_cents": 1}}}]}]}
            """);

        Assert.Equal(["plans[0].features[0].currency_options: needs overage_unit_price_cents, overage_package or overage_tiers on the feature"],
            parsed.Problems.Select(p => p.ToString()));
    }
}
