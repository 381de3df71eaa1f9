using System.Diagnostics.Metrics;

namespace Tollgate.Server.Observability;

/// <summary>The server's instruments: requests, entitlement decisions, webhook and e-mail deliveries and LLM cost ingested.</summary>
public sealed class TollgateMetrics
{
    public const string MeterName = "Tollgate";
    private readonly Counter<long> _requests;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _llmCost;
    private readonly Counter<long> _llmCalls;
    private readonly Counter<long> _emailDeliveries;

    public TollgateMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("tollgate.http.requests", "{request}", "HTTP requests answered, by route template, method and status.");
        _decisions = meter.CreateCounter<long>("tollgate.entitlement.decisions", "{decision}", "Entitlement decisions, by reason.");
        _webhookDeliveries = meter.CreateCounter<long>("tollgate.webhook.deliveries", "{attempt}", "Webhook delivery attempts, by outcome.");
        _llmCost = meter.CreateCounter<long>("tollgate.llm.cost", "nUSD", "LLM cost ingested from logged calls, in nano-USD.");
        _llmCalls = meter.CreateCounter<long>("tollgate.llm.calls", "{call}", "LLM calls ingested, by whether a price was found.");
        _emailDeliveries = meter.CreateCounter<long>("tollgate.email.deliveries", "{attempt}", "E-mail delivery attempts, by outcome.");
    }

    // Boxed once, so counting a request allocates nothing for its status.
    private static readonly object[] Statuses = [.. Enumerable.Range(0, 600).Select(s => (object)s)];

    public void Request(string route, string method, int status) =>
        _requests.Add(1, new("route", route), new("method", method), new("status", status is >= 0 and < 600 ? Statuses[status] : status));

    public void Decision(string reason) => _decisions.Add(1, new KeyValuePair<string, object?>("reason", reason));

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
