using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Catalog;

public sealed class MetricsDocumentTests
{
    private static string Document(string metrics, string planFeature = "") => $$"""
        {"features": [{"code": "tokens", "name": "Tokens", "kind": "metered"}, {"code": "api", "name": "API", "kind": "boolean"}],
         "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [{{planFeature}}]}],
         "metrics": [{{metrics}}]}
        """;

    private const string Tokens = """{"code": "llm_tokens", "name": "Tokens", "event": "llm_call", "aggregation": "sum", "property": "tokens", "group_by": ["model"]}""";

    [Fact]
    public void AMetricAndThePlanFeatureNamingItAreRead()
    {
        var result = CatalogDocument.Parse(Document(Tokens, """{"feature_code": "tokens", "limit": 1000, "metric": "llm_tokens"}"""));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var metric = Assert.Single(result.Catalog!.Metrics);
        Assert.Equal(new[] { "llm_tokens", "llm_call", "tokens", "model" }, new[] { metric.Code, metric.Event, metric.Property!, metric.GroupBy[0] });
        Assert.Equal(MetricAggregation.Sum, metric.Aggregation);
        Assert.Equal("llm_tokens", result.Catalog.Plans[0].Terms.Features[0].Metric);
    }

    [Theory]
    [InlineData("""{"code": "m", "name": "M", "event": "e", "aggregation": "median", "property": "x"}""",
        "metrics[0].aggregation: must be one of count, sum, max, unique_count, latest")]
    [InlineData("""{"code": "m", "name": "M", "event": "e", "aggregation": "sum"}""",
        "metrics[0].property: is required for sum: name the event property it reads (a whole number)")]
    [InlineData("""{"code": "m", "name": "M", "event": "e", "aggregation": "unique_count"}""",
        "metrics[0].property: is required for unique_count: name the event property it reads")]
    [InlineData("""{"code": "m", "name": "M", "event": "e", "aggregation": "count", "group_by": ["a", "b", "c", "d"]}""",
        "metrics[0].group_by: must have at most 3 property names")]
    [InlineData("""{"code": "m", "name": "M", "aggregation": "count"}""",
        "metrics[0].event: is required: no plan feature uses this metric, so name the event it reads")]
    [InlineData("""{"code": "m", "name": "M", "event": "e", "aggregation": "count", "filters": {"region": "eu"}}""",
        "metrics[0].filters.region: must be a list of 1-50 values")]
    [InlineData("""{"code": "m", "name": "M", "event": "e", "aggregation": "count", "property": "x"}""",
        "metrics[0].property: does not apply to count, which counts events")]
    [InlineData("""{"code": "m", "name": "M", "event": "e", "aggregation": "sum", "property": null}""",
        "metrics[0].property: is required for sum: name the event property it reads (a whole number)")]
    [InlineData("""{"code": "m", "name": "M", "event": "e", "aggregation": "unique_count", "property": ""}""",
        "metrics[0].property: must be a property name of 1-64 characters")]
    public void ABadMetricIsRefusedNamingItsPath(string metric, string expected) =>
        Assert.Equal([expected], CatalogDocument.Parse(Document(metric)).Problems.Select(p => p.ToString()));

    [Theory]
    [InlineData("""{"feature_code": "tokens", "limit": 5, "metric": "nope"}""", "plans[0].features[0].metric: names no metric in this document: 'nope'")]
    [InlineData("""{"feature_code": "api", "metric": "llm_tokens"}""", "plans[0].features[0].metric: does not apply to a boolean feature")]
    [InlineData("""{"feature_code": "tokens", "limit": 5, "metric": "llm_tokens", "meter": {"llm": "total_tokens"}}""",
        "plans[0].features[0].metric: cannot be combined with meter: a feature counts either a metric's events or LLM calls")]
    public void APlanFeatureNamingAMetricWrongIsRefused(string planFeature, string expected) =>
        Assert.Equal([expected], CatalogDocument.Parse(Document(Tokens, planFeature)).Problems.Select(p => p.ToString()));

    [Fact]
    public void APlanFeatureNamingAMetricRefusedForItsOwnFieldsIsNotAlsoToldTheMetricIsMissing() =>
        Assert.Equal(["metrics[0].property: is required for sum: name the event property it reads (a whole number)"],
            CatalogDocument.Parse(Document("""{"code": "m", "name": "M", "event": "e", "aggregation": "sum", "property": null}""",
                """{"feature_code": "tokens", "limit": 5, "metric": "m"}""")).Problems.Select(p => p.ToString()));

    [Fact]
    public void AMetricWithoutEventThatAPlanFeatureUsesReadsEventsNamedAfterItsCode()
    {
        var result = CatalogDocument.Parse(Document("""{"code": "calls", "name": "Calls", "aggregation": "count"}""",
            """{"feature_code": "tokens", "limit": 5, "metric": "calls"}"""));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal("calls", result.Catalog!.Metrics[0].Event);
    }

    [Fact]
    public void ExportRoundTripsMetricsAndLeavesTermsWithoutAMetricHashedAsBefore()
    {
        var document = Document(Tokens + """, {"code": "eu_calls", "name": "EU calls", "event": "call", "aggregation": "count", "filters": {"region": ["eu"]}}""",
            """{"feature_code": "tokens", "limit": 1000, "metric": "llm_tokens"}""");
        var catalog = CatalogDocument.Parse(document).Catalog!;

        var written = CatalogDocumentWriter.Write(catalog);
        var again = CatalogDocument.Parse(written).Catalog!;
        var plain = CatalogDocument.Parse(Document("", """{"feature_code": "tokens", "limit": 1000}""")).Catalog!;

        Assert.Equal(written, CatalogDocumentWriter.Write(again));
        Assert.True(CatalogMetrics.SameAs(catalog.Metrics, again.Metrics));
        Assert.Equal(["eu"], again.Metrics.Single(m => m.Code == "eu_calls").Filters["region"]);
        Assert.DoesNotContain("\"metric", CatalogDocumentWriter.Write(plain), StringComparison.Ordinal);
        Assert.NotEqual(CatalogDocumentWriter.TermsHash(plain.Plans[0].Terms), CatalogDocumentWriter.TermsHash(catalog.Plans[0].Terms));
    }
}
