namespace Tollgate.Contracts;

/// <summary>SaaS metrics over a window, in major units of the reporting currency.</summary>
/// <param name="From">Window start (inclusive).</param>
/// <param name="To">Window end (exclusive).</param>
/// <param name="Currency">The reporting currency; subscriptions in others are converted with the configured rates, or left out (UnconvertedCurrencies).</param>
/// <param name="MrrStart">MRR at the window start.</param>
/// <param name="Mrr">MRR at the window end.</param>
/// <param name="Arr">MRR × 12.</param>
/// <param name="Arpa">MRR per paying customer.</param>
/// <param name="PayingCustomersStart">Customers with MRR at the start.</param>
/// <param name="PayingCustomers">Customers with MRR at the end.</param>
/// <param name="Movements">new, expansion, contraction, churn and reactivation MRR; MrrStart + their sum = Mrr.</param>
/// <param name="ChurnedCustomers">Customers paying at the start and not at the end.</param>
/// <param name="LogoChurnRate">ChurnedCustomers / PayingCustomersStart.</param>
/// <param name="GrossMrrChurnRate">(churn + contraction) / MrrStart.</param>
/// <param name="NetMrrChurnRate">(churn + contraction − expansion − reactivation) / MrrStart.</param>
/// <param name="Ltv">Arpa / average monthly logo churn rate.</param>
/// <param name="TrialsEnded">Trials that ended in the window.</param>
/// <param name="TrialsConverted">Of those, trials that became paid subscriptions.</param>
/// <param name="TrialConversionRate">TrialsConverted / TrialsEnded.</param>
/// <param name="Upgrades">Plan changes that raised MRR.</param>
/// <param name="Downgrades">Plan changes that lowered MRR.</param>
/// <param name="QuickRatio">(new + expansion [+ reactivation]) / (churn + contraction).</param>
/// <param name="Series">The same by calendar month.</param>
/// <param name="Policy">The definitions in force (see docs/metrics.md).</param>
/// <param name="ChurnByReason">The window's churn by cancellation reason, most MRR lost first (rounded as running totals, so they sum to the churn within a cent).</param>
/// <param name="ReportingCurrency">The currency every amount is in (the same as Currency).</param>
/// <param name="Rates">The configured rates the report converted with, as written: "EUR": "1.08" means 1 EUR = 1.08 of the reporting currency.</param>
/// <param name="UnconvertedCurrencies">Currencies with MRR but no rate, left out of every figure.</param>
public sealed record SaasStatsResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    string Currency,
    decimal MrrStart,
    decimal Mrr,
    decimal Arr,
    decimal? Arpa,
    int PayingCustomersStart,
    int PayingCustomers,
    MrrMovements Movements,
    int ChurnedCustomers,
    decimal? LogoChurnRate,
    decimal? GrossMrrChurnRate,
    decimal? NetMrrChurnRate,
    decimal? Ltv,
    int TrialsEnded,
    int TrialsConverted,
    decimal? TrialConversionRate,
    int Upgrades,
    int Downgrades,
    decimal? QuickRatio,
    IReadOnlyList<SaasMonth> Series,
    MetricsPolicyResponse Policy,
    IReadOnlyList<ChurnReasonResponse>? ChurnByReason = null,
    string? ReportingCurrency = null,
    IReadOnlyDictionary<string, string>? Rates = null,
    IReadOnlyList<string>? UnconvertedCurrencies = null);

/// <summary>Churn for one cancellation reason.</summary>
/// <param name="Reason">A cancel reason (too_expensive … other), "unspecified" (canceled without one) or "not_canceled" (MRR ended without a cancel).</param>
/// <param name="Customers">Customers who churned for it.</param>
/// <param name="Mrr">The MRR they took (negative, as Movements.Churn).</param>
public sealed record ChurnReasonResponse(string Reason, int Customers, decimal Mrr);

/// <summary>MRR moved by each kind of change.</summary>
/// <param name="New">First-time paying customers.</param>
/// <param name="Expansion">Customers paying more.</param>
/// <param name="Contraction">Customers paying less (negative).</param>
/// <param name="Churn">Customers who stopped paying (negative).</param>
/// <param name="Reactivation">Former customers paying again.</param>
public sealed record MrrMovements(decimal New, decimal Expansion, decimal Contraction, decimal Churn, decimal Reactivation);

/// <summary>One calendar month of the series.</summary>
/// <param name="Month">YYYY-MM.</param>
/// <param name="MrrStart">MRR at its start.</param>
/// <param name="Mrr">MRR at its end.</param>
/// <param name="Movements">Its movements.</param>
/// <param name="PayingCustomers">Paying customers at its end.</param>
public sealed record SaasMonth(string Month, decimal MrrStart, decimal Mrr, MrrMovements Movements, int PayingCustomers);

/// <summary>The metric definitions in force.</summary>
/// <param name="ChurnRecognition">"period_end" or "cancel_request".</param>
/// <param name="QuickRatioIncludesReactivation">Whether reactivation counts with new and expansion.</param>
public sealed record MetricsPolicyResponse(string ChurnRecognition, bool QuickRatioIncludesReactivation);

/// <summary>Revenue against LLM cost over the last days (the career coach's /admin/stats/revenue-vs-cost, extended).</summary>
/// <param name="PeriodDays">Days in the window, ending today (UTC).</param>
/// <param name="From">First day's start.</param>
/// <param name="To">Last day's end.</param>
/// <param name="Currency">The reporting currency revenue, profit and TotalLlmCost are in; the *LlmCostUsd and CostUsd fields are in USD.</param>
/// <param name="TotalRevenueUsd">Subscription fees recognized day by day over the window, in the reporting currency.</param>
/// <param name="TotalPaymentsUsd">Payments collected in the window, in the reporting currency.</param>
/// <param name="TotalLlmCostUsd">LLM cost of calls made in the window, in USD.</param>
/// <param name="EstimatedProfitUsd">Revenue minus LLM cost, both in the reporting currency (the cost converted at USD's rate).</param>
/// <param name="ProfitMarginPercent">Profit ÷ revenue × 100; 0 without revenue.</param>
/// <param name="TotalRequests">Calls logged.</param>
/// <param name="UniqueUsers">Customers with calls.</param>
/// <param name="AvgCostPerRequest">Cost ÷ calls.</param>
/// <param name="UnpricedRequests">Calls to models without a price (cost 0).</param>
/// <param name="ByModel">Per model.</param>
/// <param name="ByFeature">Per feature.</param>
/// <param name="DailyBreakdown">Per day.</param>
/// <param name="ReportingCurrency">The currency revenue and payments are in (the same as Currency).</param>
/// <param name="Rates">The configured rates revenue was converted with, as written: "EUR": "1.08" means 1 EUR = 1.08 of the reporting currency.</param>
/// <param name="UnconvertedCurrencies">Currencies with revenue or payments but no rate, left out of every figure (USD when the LLM cost could not be converted).</param>
/// <param name="TotalLlmCost">The LLM cost in the reporting currency, at USD's configured rate; null when USD has none.</param>
public sealed record RevenueVsCostResponse(
    int PeriodDays,
    DateTimeOffset From,
    DateTimeOffset To,
    string Currency,
    decimal TotalRevenueUsd,
    decimal TotalPaymentsUsd,
    decimal TotalLlmCostUsd,
    decimal EstimatedProfitUsd,
    decimal ProfitMarginPercent,
    long TotalRequests,
    long UniqueUsers,
    decimal AvgCostPerRequest,
    long UnpricedRequests,
    IReadOnlyList<ModelCost> ByModel,
    IReadOnlyList<FeatureCost> ByFeature,
    IReadOnlyList<DailyRevenueCost> DailyBreakdown,
    string? ReportingCurrency = null,
    IReadOnlyDictionary<string, string>? Rates = null,
    IReadOnlyList<string>? UnconvertedCurrencies = null,
    decimal? TotalLlmCost = null);

/// <summary>Calls and cost of one model.</summary>
/// <param name="Model">The model.</param>
/// <param name="Provider">Its provider, from its price.</param>
/// <param name="Requests">Calls.</param>
/// <param name="InputTokens">Uncached input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="CachedInputTokens">Cache reads.</param>
/// <param name="CacheWriteTokens">Cache writes.</param>
/// <param name="ReasoningTokens">Reasoning tokens.</param>
/// <param name="CostUsd">Cost.</param>
/// <param name="UnpricedRequests">Calls without a price.</param>
public sealed record ModelCost(string Model, string? Provider, long Requests, long InputTokens, long OutputTokens, long CachedInputTokens,
    long CacheWriteTokens, long ReasoningTokens, decimal CostUsd, long UnpricedRequests);

/// <summary>Calls and cost of one feature.</summary>
/// <param name="Feature">The feature's code ("" for calls logged without one).</param>
/// <param name="Requests">Calls.</param>
/// <param name="CostUsd">Cost.</param>
/// <param name="UniqueUsers">Customers.</param>
public sealed record FeatureCost(string Feature, long Requests, decimal CostUsd, long UniqueUsers);

/// <summary>One day's revenue and cost.</summary>
/// <param name="Date">YYYY-MM-DD (UTC).</param>
/// <param name="RevenueUsd">Recognized revenue, in the reporting currency.</param>
/// <param name="LlmCostUsd">LLM cost, in USD.</param>
/// <param name="ProfitUsd">Revenue minus LlmCost, in the reporting currency.</param>
/// <param name="Requests">Calls.</param>
/// <param name="LlmCost">LLM cost in the reporting currency; null when USD has no rate.</param>
public sealed record DailyRevenueCost(string Date, decimal RevenueUsd, decimal LlmCostUsd, decimal ProfitUsd, long Requests, decimal? LlmCost = null);

/// <summary>One customer's cost, revenue and margin.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Plan">Their plan now.</param>
/// <param name="PeriodDays">Days in the window.</param>
/// <param name="TotalRevenueUsd">Recognized revenue, in the reporting currency.</param>
/// <param name="TotalPaymentsUsd">Payments collected, in the reporting currency.</param>
/// <param name="TotalLlmCostUsd">LLM cost, in USD.</param>
/// <param name="MarginUsd">Revenue minus TotalLlmCost, in the reporting currency.</param>
/// <param name="MarginPercent">Margin ÷ revenue × 100; null without revenue.</param>
/// <param name="TotalRequests">Calls.</param>
/// <param name="ByFeature">Per feature.</param>
/// <param name="ByModel">Per model.</param>
/// <param name="DailyBreakdown">Per day.</param>
/// <param name="ReportingCurrency">The currency revenue and payments are in.</param>
/// <param name="Rates">The configured rates revenue was converted with, as written.</param>
/// <param name="UnconvertedCurrencies">Currencies with revenue or payments but no rate, left out (USD when the LLM cost could not be converted).</param>
/// <param name="TotalLlmCost">The LLM cost in the reporting currency, at USD's configured rate; null when USD has none.</param>
public sealed record CustomerCostResponse(string Customer, string? Plan, int PeriodDays, decimal TotalRevenueUsd, decimal TotalPaymentsUsd,
    decimal TotalLlmCostUsd, decimal MarginUsd, decimal? MarginPercent, long TotalRequests, IReadOnlyList<FeatureCost> ByFeature,
    IReadOnlyList<ModelCost> ByModel, IReadOnlyList<DailyRevenueCost> DailyBreakdown, string? ReportingCurrency = null,
    IReadOnlyDictionary<string, string>? Rates = null, IReadOnlyList<string>? UnconvertedCurrencies = null, decimal? TotalLlmCost = null);

/// <summary>Usage and LLM cost of one feature.</summary>
/// <param name="Feature">The feature's code.</param>
/// <param name="Name">Its name.</param>
/// <param name="UsesLlm">Whether the catalog marks it as using the LLM.</param>
/// <param name="UnitsUsed">Units counted (consumes and events).</param>
/// <param name="UniqueUsers">Customers who used it.</param>
/// <param name="LlmRequests">LLM calls logged for it.</param>
/// <param name="LlmCostUsd">Their cost.</param>
/// <param name="CostPerUnitUsd">Cost ÷ units, when units were counted.</param>
public sealed record FeatureStats(string Feature, string Name, bool UsesLlm, long UnitsUsed, long UniqueUsers, long LlmRequests, decimal LlmCostUsd,
    decimal? CostPerUnitUsd);

/// <summary>One plan's customers, revenue, cost and margin.</summary>
/// <param name="Plan">The plan's code.</param>
/// <param name="Name">Its name.</param>
/// <param name="Customers">Customers on it now (a default plan counts customers without a subscription).</param>
/// <param name="PayingCustomers">Of those, customers with MRR.</param>
/// <param name="MrrUsd">Its MRR now, in the reporting currency, less credit notes on current recurring fees.</param>
/// <param name="RevenueUsd">Revenue recognized in the window, in the reporting currency.</param>
/// <param name="LlmCostUsd">LLM cost in the window, in USD.</param>
/// <param name="MarginUsd">Revenue minus LlmCost, in the reporting currency.</param>
/// <param name="MarginPercent">Margin ÷ revenue × 100; null without revenue.</param>
/// <param name="LlmCost">LLM cost in the reporting currency; null when USD has no rate.</param>
public sealed record PlanStats(string Plan, string Name, long Customers, long PayingCustomers, decimal MrrUsd, decimal RevenueUsd, decimal LlmCostUsd,
    decimal MarginUsd, decimal? MarginPercent, decimal? LlmCost = null);

/// <summary>A customer ranked by cost or margin.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Plan">Their plan now.</param>
/// <param name="RevenueUsd">Recognized revenue, in the reporting currency.</param>
/// <param name="LlmCostUsd">LLM cost, in USD.</param>
/// <param name="MarginUsd">Revenue minus LlmCost, in the reporting currency.</param>
/// <param name="Requests">Calls.</param>
/// <param name="LlmCost">LLM cost in the reporting currency; null when USD has no rate.</param>
public sealed record CustomerMargin(string Customer, string? Plan, decimal RevenueUsd, decimal LlmCostUsd, decimal MarginUsd, long Requests,
    decimal? LlmCost = null);
