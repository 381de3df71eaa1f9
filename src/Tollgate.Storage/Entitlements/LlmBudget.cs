using Tollgate.Core.Catalog;

namespace Tollgate.Storage.Entitlements;

/// <summary>
/// A plan's LLM budget is kept as a counter like any quota, in nano-USD, under a code no catalog feature can have,
/// so it gets the same atomic holds; it counts per billing period.
/// </summary>
public static class LlmBudget
{
    public const string FeatureCode = "$llm_budget";

    public static PlanFeature Grant(long budgetNano) =>
        new(FeatureCode, FeatureKind.Metered, budgetNano, HardCap: true, Rollover: false, null, Enabled: true, null, [], QuotaReset.BillingPeriod);
}
