namespace Tollgate.Client.Contracts;

/// <summary>SaaS metrics over a window, in major units of the reporting currency.</summary>
/// <param name="From">Window start (inclusive).</param>
/// <param name="To">Window end (exclusive).</param>
/// <param name="Currency">The reporting currency; subscriptions in others are left out.</param>
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
    MetricsPolicyResponse Policy);

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
