using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tollgate.Server.Observability;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// What each decision reports: a count by reason, the time from the parsed body to the committed decision by operation,
/// and, on a recorded span, the feature and the reason. Never the customer: an id the app chose, which may be an e-mail
/// address.
/// </summary>
public sealed class DecisionTelemetry
{
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _seconds;

    public DecisionTelemetry(IMeterFactory meters)
    {
        // The server's one meter: the factory hands back the same one TollgateMetrics adds its instruments to.
        var meter = meters.Create(TollgateMetrics.MeterName);
        _decisions = meter.CreateCounter<long>("tollgate.entitlement.decisions", "{decision}", "Entitlement decisions, by reason.");
        _seconds = meter.CreateHistogram("tollgate.entitlement.decision.duration", "s",
            "Time from a consume, reserve, commit or release request's parsed body to its committed decision, by operation.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
            });
    }

    /// <summary>Reports <paramref name="reason"/>, decided for <paramref name="operation"/> since <paramref name="startedTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Report(string operation, long startedTimestamp, string feature, string reason, bool replayed)
    {
        _decisions.Add(1, new KeyValuePair<string, object?>("reason", reason));
        _seconds.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
        // ASP.NET Core makes an activity for each request even with no tracing; only a sampled one (Recorded) is exported.
        if (Activity.Current is not { Recorded: true } span)
        {
            return;
        }

        span.SetTag("tollgate.feature", feature);
        span.SetTag("tollgate.decision.reason", reason);
        if (replayed)
        {
            span.SetTag("tollgate.decision.replayed", true);
        }
    }
}
