using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Catalog;

public sealed class CatalogDocumentTests
{
    private static string Example(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "catalogs", name));

    [Theory]
    [InlineData("career-coach.json")]
    [InlineData("email-assistant.json")]
    [InlineData("resume-tailor.json")]
    [InlineData("content-platform.json")]
    [InlineData("data-api.json")]
    public void EveryExampleCatalogIsValid(string file)
    {
        var result = CatalogDocument.Parse(Example(file));

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
    }

    [Fact]
    public void CareerCoachCatalogHasTheSeedPricesAndQuotas()
    {
        var catalog = CatalogDocument.Parse(Example("career-coach.json")).Catalog!;

        var prices = catalog.Plans.ToDictionary(p => p.Code, p => p.Terms.Prices.ToDictionary(x => x.BillingPeriod, x => x.PriceCents));
        Assert.Equal(0, prices["free"][BillingInterval.Monthly]);
        Assert.Equal((999, 9900), (prices["basic"][BillingInterval.Monthly], prices["basic"][BillingInterval.Yearly]));
        Assert.Equal((2999, 29900), (prices["pro"][BillingInterval.Monthly], prices["pro"][BillingInterval.Yearly]));
        Assert.Equal((9999, 99900), (prices["enterprise"][BillingInterval.Monthly], prices["enterprise"][BillingInterval.Yearly]));
        long?[] Quotas(string feature) => [.. catalog.Plans.Select(p => p.Terms.Feature(feature)!.MonthlyQuota)];
        Assert.Equal([2, 10, 30, null], Quotas("cv_generate"));
        Assert.Equal([1, 5, 20, null], Quotas("mock_interview"));
        Assert.Equal([10, 100, null, null], Quotas("career_chat_messages"));
        Assert.Equal("free", catalog.DefaultPlan);
    }

    [Fact]
    public void NegativePriceIsNamedByItsPath()
    {
        var json = """
            {"features": [], "plans": [
              {"code": "a", "name": "A", "prices": [{"billing_period": "monthly", "price_cents": 0}]},
              {"code": "b", "name": "B", "prices": [{"billing_period": "monthly", "price_cents": 0}]},
              {"code": "c", "name": "C", "prices": [{"billing_period": "monthly", "price_cents": -1}]}]}
            """;

        var result = CatalogDocument.Parse(json);

        Assert.False(result.IsValid);
        Assert.Equal(["plans[2].prices[0].price_cents: must be >= 0"], result.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void EveryProblemInTheDocumentIsReportedAtOnce()
    {
        var json = """
            {"features": [
                {"code": "Bad Code", "name": "X", "kind": "metered"},
                {"code": "chat", "name": "Chat", "kind": "counter"},
                {"code": "gate", "name": "Gate", "kind": "boolean"}],
             "plans": [
                {"code": "pro", "name": "", "montly_quota": 3,
                 "prices": [{"billing_period": "weekly", "price_cents": 1.5, "currency": "u5d"},
                            {"billing_period": "yearly", "price_cents": 100, "currency": "NaN"}],
                 "features": [{"feature_code": "nope", "monthly_quota": 1},
                              {"feature_code": "gate", "monthly_quota": 5}]}],
             "default_plan": "enterprise"}
            """;

        var problems = CatalogDocument.Parse(json).Problems.Select(p => p.ToString()).ToList();

        Assert.Contains("features[0].code: must be 1-64 characters of a-z, 0-9 and _, starting with a letter", problems);
        Assert.Contains("features[1].kind: must be one of boolean, metered, value", problems);
        Assert.Contains("plans[0].montly_quota: unknown field", problems);
        Assert.Contains("plans[0].name: must not be empty", problems);
        Assert.Contains("plans[0].prices[0].price_cents: must be a whole number", problems);
        Assert.Contains("plans[0].prices[0].currency: must be an ISO 4217 code, such as USD or usd", problems);
        Assert.Contains("plans[0].prices[1].currency: 'NaN' is not an ISO 4217 currency code", problems); // three letters, no currency
        Assert.Contains("plans[0].features[0].feature_code: names no feature in this document: 'nope'", problems);
        Assert.Contains("plans[0].features[1].monthly_quota: does not apply to a boolean feature", problems);
        Assert.Contains("default_plan: names no plan in this document: 'enterprise'", problems);
    }

    [Fact]
    public void MeteredFeatureMustSayItsQuotaEvenWhenUnlimited()
    {
        var json = """
            {"features": [{"code": "chat", "name": "Chat", "kind": "metered"}],
             "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [{"feature_code": "chat"}]}]}
            """;

        var problems = CatalogDocument.Parse(json).Problems.Select(p => p.ToString());

        Assert.Equal(["plans[0].features[0].limit: is required (or monthly_quota)"], problems);
    }

    [Theory]
    [InlineData("""{"feature_code": "chat", "monthly_quota": 5, "overage_unit_price_cents": 2}""",
        "plans[0].features[0].overage_unit_price_cents: only applies when hard_cap is false")]
    [InlineData("""{"feature_code": "chat", "monthly_quota": null, "rollover": true}""",
        "plans[0].features[0].rollover: needs a positive limit")]
    [InlineData("""{"feature_code": "chat", "monthly_quota": -3}""", "plans[0].features[0].monthly_quota: must be >= 0")]
    [InlineData("""{"feature_code": "chat", "monthly_quota": 5, "alert_thresholds": [90, 80]}""",
        "plans[0].features[0].alert_thresholds[1]: must be greater than the threshold before it")]
    [InlineData("""{"feature_code": "chat", "monthly_quota": 99999999999999999}""",
        "plans[0].features[0].monthly_quota: must be <= 1000000000000")]
    public void InconsistentQuotaSettingsAreRejected(string planFeature, string expected)
    {
        var json = $$"""
            {"features": [{"code": "chat", "name": "Chat", "kind": "metered"}],
             "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [{{planFeature}}]}]}
            """;

        Assert.Equal([expected], CatalogDocument.Parse(json).Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void DuplicateCodesAndPeriodsAreRejected()
    {
        var json = """
            {"features": [{"code": "chat", "name": "Chat", "kind": "metered"}, {"code": "chat", "name": "Again", "kind": "metered"}],
             "plans": [{"code": "pro", "name": "Pro", "prices": [
                {"billing_period": "monthly", "price_cents": 100}, {"billing_period": "monthly", "price_cents": 200}]},
               {"code": "pro", "name": "Pro again", "prices": []}]}
            """;

        var problems = CatalogDocument.Parse(json).Problems.Select(p => p.ToString()).ToList();

        Assert.Contains("features[1].code: duplicates feature 'chat'", problems);
        Assert.Contains("plans[0].prices[1].billing_period: duplicates the monthly price in USD", problems);
        Assert.Contains("plans[1].code: duplicates plan 'pro'", problems);
    }

    [Fact]
    public void MalformedJsonIsOneProblemAtTheRoot()
    {
        var result = CatalogDocument.Parse("{\"features\": [");

        Assert.Single(result.Problems);
        Assert.Equal("$", result.Problems[0].Path);
        Assert.Equal("malformed JSON at line 1, byte 15", result.Problems[0].Message);
    }

    [Fact]
    public void MalformedJsonSaysWhereInWordsNotInTheParsersText()
    {
        var problems = CatalogDocument.Parse("{\n  \"features\": [}").Problems.Select(p => p.ToString()).ToList();

        Assert.Equal(["$: malformed JSON at line 2, byte 16"], problems);
        Assert.DoesNotContain("LineNumber", problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void WrittenDocumentParsesBackToTheSameCatalog()
    {
        var original = CatalogDocument.Parse(Example("data-api.json")).Catalog!;

        var reparsed = CatalogDocument.Parse(CatalogDocumentWriter.Write(original)).Catalog!;

        Assert.Equal(CatalogDocumentWriter.Write(original), CatalogDocumentWriter.Write(reparsed));
        Assert.Equal(original.Plans.Select(p => CatalogDocumentWriter.TermsHash(p.Terms)),
            reparsed.Plans.Select(p => CatalogDocumentWriter.TermsHash(p.Terms)));
    }

    [Fact]
    public void TermsHashIgnoresOrderButNotQuotas()
    {
        var catalog = CatalogDocument.Parse(Example("career-coach.json")).Catalog!;
        var pro = catalog.Plans.Single(p => p.Code == "pro").Terms;
        var reordered = pro with { Features = [.. pro.Features.Reverse()], Prices = [.. pro.Prices.Reverse()] };
        var changed = pro with { Features = [.. pro.Features.Select(f => f.FeatureCode == "cv_generate" ? f with { MonthlyQuota = 31 } : f)] };

        Assert.Equal(CatalogDocumentWriter.TermsHash(pro), CatalogDocumentWriter.TermsHash(reordered));
        Assert.NotEqual(CatalogDocumentWriter.TermsHash(pro), CatalogDocumentWriter.TermsHash(changed));
    }

    [Fact]
    public void TermsHashOfAMonthlyQuotaIsTheHashStoredBeforeWindowsExisted()
    {
        var catalog = CatalogDocument.Parse(Example("career-coach.json")).Catalog!;

        // Computed by the release before reset windows: an unchanged catalog must not bump any plan's version.
        Assert.Equal("4352c3609ff23557b4cdb7e37fa92ae4b94e61e7c76d779f20e1b97f6517beaf",
            CatalogDocumentWriter.TermsHash(catalog.Plans.Single(p => p.Code == "pro").Terms));
    }

    private static PlanFeature ChatTerms(string planFeature)
    {
        var json = $$"""
            {"features": [{"code": "chat", "name": "Chat", "kind": "metered"}, {"code": "tokens", "name": "Tokens", "kind": "metered"},
                          {"code": "api", "name": "API", "kind": "boolean"}],
             "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [{{planFeature}}]}]}
            """;
        var result = CatalogDocument.Parse(json);
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        return result.Catalog!.Plans[0].Terms.Features[0];
    }

    [Fact]
    public void MonthlyQuotaMeansALimitPerMonth()
    {
        var terms = ChatTerms("""{"feature_code": "chat", "monthly_quota": 30}""");

        Assert.Equal((30L, QuotaReset.Month), (terms.MonthlyQuota!.Value, terms.Reset));
    }

    [Theory]
    [InlineData("day", QuotaReset.Day)]
    [InlineData("week", QuotaReset.Week)]
    [InlineData("month", QuotaReset.Month)]
    [InlineData("year", QuotaReset.Year)]
    [InlineData("billing_period", QuotaReset.BillingPeriod)]
    [InlineData("never", QuotaReset.Never)]
    public void LimitCarriesItsOwnResetWindow(string reset, QuotaReset expected)
    {
        var terms = ChatTerms($$"""{"feature_code": "chat", "limit": 5, "reset": "{{reset}}"}""");

        Assert.Equal((5L, expected), (terms.MonthlyQuota!.Value, terms.Reset));
    }

    [Fact]
    public void RateLimitAndLlmMeterAreRead()
    {
        var metered = ChatTerms("""
            {"feature_code": "tokens", "limit": 100000, "reset": "month", "rate_limit": {"limit": 10, "per": "second"},
             "meter": {"llm": "total_tokens", "features": ["chat"], "providers": ["openai"]}}
            """);
        var gate = ChatTerms("""{"feature_code": "api", "rate_limit": {"limit": 600, "per": "minute"}}""");

        Assert.Equal(new RateLimit(10, RateLimitPer.Second), metered.RateLimit);
        Assert.Equal(LlmMeasure.TotalTokens, metered.Meter!.Measure);
        Assert.Equal(["chat"], metered.Meter.Features);
        Assert.True(metered.Meter.Matches("chat", "OpenAI"));
        Assert.False(metered.Meter.Matches("summary", "openai"));
        Assert.Equal(new RateLimit(600, RateLimitPer.Minute), gate.RateLimit);
    }

    [Theory]
    [InlineData("""{"feature_code": "chat", "limit": 5, "reset": "fortnight"}""",
        "plans[0].features[0].reset: must be day, week, month, year, billing_period, calendar_month, calendar_year or never")]
    [InlineData("""{"feature_code": "chat", "monthly_quota": 5, "limit": 5}""",
        "plans[0].features[0].limit: cannot be given with monthly_quota (monthly_quota means limit with reset: month)")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "rate_limit": {"limit": 0, "per": "second"}}""",
        "plans[0].features[0].rate_limit.limit: must be >= 1")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "rate_limit": {"limit": 3, "per": "day"}}""",
        "plans[0].features[0].rate_limit.per: must be second, minute or hour")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "meter": {"llm": "words"}}""",
        "plans[0].features[0].meter.llm: must be total_tokens, input_tokens, output_tokens or calls")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "meter": {"llm": "calls", "features": ["nope"]}}""",
        "plans[0].features[0].meter.features[0]: names no feature in this document: 'nope'")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "reset": "never", "rollover": true}""",
        "plans[0].features[0].rollover: needs a window that resets (reset is never)")]
    [InlineData("""{"feature_code": "api", "limit": 5}""", "plans[0].features[0].limit: does not apply to a boolean feature")]
    [InlineData("""{"feature_code": "seats", "value": 3, "rate_limit": {"limit": 5, "per": "second"}}""",
        "plans[0].features[0].rate_limit: does not apply to a value feature")]
    [InlineData("""{"feature_code": "api", "enabled": false, "rate_limit": {"limit": 5, "per": "second"}}""",
        "plans[0].features[0].rate_limit: does not apply to a disabled feature (enabled: false) unless it is the rate_limit_feature")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "meter": {"llm": "calls", "features": ["chat", "chat"]}}""",
        "plans[0].features[0].meter.features: lists 'chat' twice")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "meter": {"llm": "calls", "providers": ["openai", "OpenAI"]}}""",
        "plans[0].features[0].meter.providers: lists 'OpenAI' twice")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "meter": {"llm": "calls", "features": []}}""",
        "plans[0].features[0].meter.features: must not be empty; leave the field out to count every one")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "meter": {"llm": "calls", "providers": []}}""",
        "plans[0].features[0].meter.providers: must not be empty; leave the field out to count every one")]
    [InlineData("""{"feature_code": "chat", "limit": 5, "rate_limit": {"limit": 100000000000000000000, "per": "minute"}}""",
        "plans[0].features[0].rate_limit.limit: must be <= 1000000000000")]
    [InlineData("""{"feature_code": "chat", "limit": 1e20}""", "plans[0].features[0].limit: must be <= 1000000000000")]
    [InlineData("""{"feature_code": "chat", "limit": -100000000000000000000}""", "plans[0].features[0].limit: must be >= 0")]
    [InlineData("""{"feature_code": "chat", "limit": 100000000000000000000.5}""", "plans[0].features[0].limit: must be a whole number")]
    [InlineData("""{"feature_code": "chat", "limit": 10.0}""",
        "plans[0].features[0].limit: must be written as an integer, without a decimal point or exponent (5, not 5.0 or 5e0)")]
    [InlineData("""{"feature_code": "chat", "limit": 1e3}""",
        "plans[0].features[0].limit: must be written as an integer, without a decimal point or exponent (5, not 5.0 or 5e0)")]
    public void WrongWindowRateOrMeterIsNamedByItsPath(string planFeature, string expected)
    {
        var json = $$"""
            {"features": [{"code": "chat", "name": "Chat", "kind": "metered"}, {"code": "api", "name": "API", "kind": "boolean"},
                          {"code": "seats", "name": "Seats", "kind": "value"}],
             "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [{{planFeature}}]}]}
            """;

        Assert.Equal([expected], CatalogDocument.Parse(json).Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void ExportWritesLimitAndResetAndParsesBackToTheSameTerms()
    {
        var json = """
            {"features": [{"code": "chat", "name": "Chat", "kind": "metered"}, {"code": "api", "name": "API", "kind": "boolean"}],
             "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [
               {"feature_code": "chat", "monthly_quota": 30, "rate_limit": {"limit": 5, "per": "second"},
                "meter": {"llm": "calls"}},
               {"feature_code": "api", "rate_limit": {"limit": 100, "per": "hour"}}]}]}
            """;
        var catalog = CatalogDocument.Parse(json).Catalog!;

        var written = CatalogDocumentWriter.Write(catalog);
        var reparsed = CatalogDocument.Parse(written).Catalog!;

        Assert.Contains("\"limit\": 30", written, StringComparison.Ordinal);
        Assert.Contains("\"reset\": \"month\"", written, StringComparison.Ordinal);
        Assert.DoesNotContain("monthly_quota", written, StringComparison.Ordinal);
        Assert.Equal(CatalogDocumentWriter.TermsHash(catalog.Plans[0].Terms), CatalogDocumentWriter.TermsHash(reparsed.Plans[0].Terms));
        Assert.Equal(written, CatalogDocumentWriter.Write(reparsed));
    }

    [Fact]
    public void PlanWideRateLimitFeatureMustNameAFeatureAndRoundTrips()
    {
        const string Features = """[{"code": "api", "name": "API", "kind": "boolean"}]""";
        var wrong = CatalogDocument.Parse($$"""{"rate_limit_feature": "nope", "features": {{Features}}, "plans": []}""");
        var right = CatalogDocument.Parse($$$"""
            {"rate_limit_feature": "api", "features": {{{Features}}}, "plans": [{"code": "pro", "name": "Pro", "prices": [],
              "features": [{"feature_code": "api", "rate_limit": {"limit": 100, "per": "minute"}}]}]}
            """).Catalog!;

        Assert.Equal(["rate_limit_feature: names no feature in this document: 'nope'"], wrong.Problems.Select(p => p.ToString()));
        Assert.Equal("api", CatalogDocument.Parse(CatalogDocumentWriter.Write(right)).Catalog!.RateLimitFeature);
    }

    [Fact]
    public void PlanWideRateLimitFeatureMustTakeARateLimitAndMayBeADisabledGate()
    {
        const string Features = """[{"code": "api", "name": "API", "kind": "boolean"}, {"code": "seats", "name": "Seats", "kind": "value"}]""";
        var value = CatalogDocument.Parse($$"""{"rate_limit_feature": "seats", "features": {{Features}}, "plans": []}""");
        // A plan that gates the API off still limits its other features' requests through the plan-wide limit.
        var disabled = CatalogDocument.Parse($$$"""
            {"rate_limit_feature": "api", "features": {{{Features}}}, "plans": [{"code": "pro", "name": "Pro", "prices": [],
              "features": [{"feature_code": "api", "enabled": false, "rate_limit": {"limit": 100, "per": "minute"}}]}]}
            """);

        Assert.Equal(["rate_limit_feature: must name a boolean or metered feature: 'seats' is a value feature, which takes no rate_limit"],
            value.Problems.Select(p => p.ToString()));
        Assert.True(disabled.IsValid, string.Join("\n", disabled.Problems));
    }
}
