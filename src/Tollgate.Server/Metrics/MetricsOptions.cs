using Tollgate.Core.Metrics;

namespace Tollgate.Server.Metrics;

/// <summary>Bound from Tollgate:Metrics: where the sources differ, the policy is a setting (see docs/metrics.md).</summary>
public sealed class MetricsOptions
{
    public string Currency { get; set; } = "USD";

    /// <summary>"period_end" (ChartMogul's default) or "cancel_request" (Stripe's former rule).</summary>
    public string ChurnRecognition { get; set; } = "period_end";

    /// <summary>Social Capital's quick ratio counts reactivation ("resurrected"); Baremetrics and Chargebee do not.</summary>
    public bool QuickRatioIncludesReactivation { get; set; } = true;

    /// <summary>Whether a credit note on a recurring fee lowers MRR over the credited period (see docs/metrics.md); ProfitWell and Chargify leave MRR alone.</summary>
    public bool CreditNotesLowerMrr { get; set; } = true;

    public MetricsPolicy ToPolicy() => new(
        Currency.ToUpperInvariant(),
        string.Equals(ChurnRecognition, "cancel_request", StringComparison.OrdinalIgnoreCase) ? Core.Metrics.ChurnRecognition.CancelRequest
            : Core.Metrics.ChurnRecognition.PeriodEnd,
        QuickRatioIncludesReactivation);
}
