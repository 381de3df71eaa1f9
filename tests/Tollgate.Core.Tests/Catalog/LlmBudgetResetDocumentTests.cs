using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Catalog;

public sealed class LlmBudgetResetDocumentTests
{
    private static string Document(string budget) => $$"""
        {"features": [], "plans": [{"code": "pro", "name": "Pro", "prices": [], "features": [] {{budget}}}]}
        """;

    [Theory]
    [InlineData(", \"llm_budget_usd\": 5", QuotaReset.BillingPeriod)]
    [InlineData(", \"llm_budget_usd\": 5, \"llm_budget_reset\": \"billing_period\"", QuotaReset.BillingPeriod)]
    [InlineData(", \"llm_budget_usd\": 5, \"llm_budget_reset\": \"day\"", QuotaReset.Day)]
    [InlineData(", \"llm_budget_usd\": 5, \"llm_budget_reset\": \"week\"", QuotaReset.Week)]
    [InlineData(", \"llm_budget_usd\": 5, \"llm_budget_reset\": \"month\"", QuotaReset.Month)]
    [InlineData(", \"llm_budget_usd\": 5, \"llm_budget_reset\": \"year\"", QuotaReset.Year)]
    public void BudgetResetIsReadAndDefaultsToTheBillingPeriod(string budget, QuotaReset expected)
    {
        var result = CatalogDocument.Parse(Document(budget));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal(expected, result.Catalog!.Plans[0].Terms.LlmBudgetReset);
    }

    [Theory]
    [InlineData(", \"llm_budget_usd\": 5, \"llm_budget_reset\": \"never\"", "plans[0].llm_budget_reset: must be day, week, month, year, billing_period, calendar_month or calendar_year")]
    [InlineData(", \"llm_budget_usd\": 5, \"llm_budget_reset\": \"fortnight\"", "plans[0].llm_budget_reset: must be day, week, month, year, billing_period, calendar_month or calendar_year")]
    [InlineData(", \"llm_budget_reset\": \"month\"", "plans[0].llm_budget_reset: needs llm_budget_usd: a plan without a budget has nothing to reset")]
    public void WrongBudgetResetIsRejectedNamingTheField(string budget, string expected) =>
        Assert.Equal([expected], CatalogDocument.Parse(Document(budget)).Problems.Select(p => p.ToString()));

    [Fact]
    public void ExportWritesAMonthlyResetAndLeavesTheDefaultOutSoExistingTermsHashesStay()
    {
        var monthly = CatalogDocument.Parse(Document(", \"llm_budget_usd\": 5, \"llm_budget_reset\": \"month\"")).Catalog!;
        var plain = CatalogDocument.Parse(Document(", \"llm_budget_usd\": 5")).Catalog!;
        var explicitDefault = CatalogDocument.Parse(Document(", \"llm_budget_usd\": 5, \"llm_budget_reset\": \"billing_period\"")).Catalog!;

        var again = CatalogDocument.Parse(CatalogDocumentWriter.Write(monthly)).Catalog!;

        Assert.Equal(QuotaReset.Month, again.Plans[0].Terms.LlmBudgetReset);
        Assert.DoesNotContain("llm_budget_reset", CatalogDocumentWriter.Write(plain), StringComparison.Ordinal);
        Assert.Equal(CatalogDocumentWriter.TermsHash(plain.Plans[0].Terms), CatalogDocumentWriter.TermsHash(explicitDefault.Plans[0].Terms));
        Assert.NotEqual(CatalogDocumentWriter.TermsHash(plain.Plans[0].Terms), CatalogDocumentWriter.TermsHash(monthly.Plans[0].Terms));
    }
}
