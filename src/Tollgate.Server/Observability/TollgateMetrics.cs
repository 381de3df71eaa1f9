using System.Diagnostics.Metrics;

namespace Tollgate.Server.Observability;

/// <summary>
/// The server's instruments for webhook and e-mail deliveries and LLM cost ingested; entitlement decisions report through
/// Entitlements' DecisionTelemetry on the same meter. Requests are counted and timed by ASP.NET Core's own http.server.request.duration.
/// </summary>
public sealed class TollgateMetrics
{
    public const string MeterName = "Tollgate";
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _llmCost;
    private readonly Counter<long> _llmCalls;
    private readonly Counter<long> _emailDeliveries;

    public TollgateMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _webhookDeliveries = meter.CreateCounter<long>("tollgate.webhook.deliveries", "{attempt}", "Webhook delivery attempts, by outcome.");
        _llmCost = meter.CreateCounter<long>("tollgate.llm.cost", "nUSD", "LLM cost ingested from logged calls, in nano-USD.");
        _llmCalls = meter.CreateCounter<long>("tollgate.llm.calls", "{call}", "LLM calls ingested, by whether a price was found.");
        _emailDeliveries = meter.CreateCounter<long>("tollgate.email.deliveries", "{attempt}", "E-mail delivery attempts, by outcome.");
    }

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
