using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tollgate.Server.Observability;

/// <summary>
/// The server's instruments: entitlement decisions and their latency, webhook and e-mail deliveries and LLM cost ingested.
/// Requests are counted and timed by ASP.NET Core's own http.server.request.duration.
/// </summary>
public sealed class TollgateMetrics
{
    public const string MeterName = "Tollgate";
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _decisionSeconds;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _llmCost;
    private readonly Counter<long> _llmCalls;
    private readonly Counter<long> _emailDeliveries;

    public TollgateMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _decisions = meter.CreateCounter<long>("tollgate.entitlement.decisions", "{decision}", "Entitlement decisions, by reason.");
        _decisionSeconds = meter.CreateHistogram("tollgate.entitlement.decision.duration", "s",
            "Time from a consume, reserve, commit or release request's parsed body to its committed decision, by operation.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
            });
        _webhookDeliveries = meter.CreateCounter<long>("tollgate.webhook.deliveries", "{attempt}", "Webhook delivery attempts, by outcome.");
        _llmCost = meter.CreateCounter<long>("tollgate.llm.cost", "nUSD", "LLM cost ingested from logged calls, in nano-USD.");
        _llmCalls = meter.CreateCounter<long>("tollgate.llm.calls", "{call}", "LLM calls ingested, by whether a price was found.");
        _emailDeliveries = meter.CreateCounter<long>("tollgate.email.deliveries", "{attempt}", "E-mail delivery attempts, by outcome.");
    }

    public void Decision(string reason) => _decisions.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Records the time since <paramref name="startedTimestamp"/>, a <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public void DecisionTime(string operation, long startedTimestamp) => _decisionSeconds.Record(
        Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    public void WebhookDelivery(string outcome) => _webhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void EmailDelivery(string outcome) => _emailDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void LlmCall(long? costNanoUsd)
    {
        _llmCalls.Add(1, new KeyValuePair<string, object?>("priced", costNanoUsd is null ? "false" : "true"));
        if (costNanoUsd is > 0)
        {
            _llmCost.Add(costNanoUsd.Value);
        }
    }
}
