using Tollgate.Core.Catalog;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Entitlements;

/// <summary>
/// A plan's LLM budget is kept as a counter like any quota, in nano-USD, under a code no catalog feature can have,
/// so it gets the same atomic holds; it counts in the plan's <c>llm_budget_reset</c> window, found as a quota's is.
/// </summary>
public static class LlmBudget
{
    public const string FeatureCode = "$llm_budget";

    public static PlanFeature Grant(long budgetNano, QuotaReset reset) =>
        new(FeatureCode, FeatureKind.Metered, budgetNano, HardCap: true, Rollover: false, null, Enabled: true, null, [], reset);

    /// <summary>The customer's plan's budget as a quota grant, or null when the plan has none.</summary>
    public static PlanFeature? Of(EntitlementContext? context) =>
        context?.Version?.Terms is { LlmBudgetNanoUsd: { } budget } terms ? Grant(budget, terms.LlmBudgetReset) : null;

    /// <summary>The window the budget counts in at the context's instant; the billing period when the plan has no budget.</summary>
    public static BillingPeriod Window(EntitlementContext context) => context.Window(Of(context));
}
