using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Observability;

/// <summary>
/// Collects this host's Tollgate instruments through a <see cref="MeterListener"/> and writes them in the Prometheus
/// text format (0.0.4). Written here because no Prometheus exporter package is available to the project; only meters
/// from this host's <see cref="IMeterFactory"/> are read, so several hosts in one process never mix their counts.
/// </summary>
public sealed class PrometheusExposition : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _families = new();

    public PrometheusExposition(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name is TollgateMetrics.MeterName or StorageMetrics.MeterName)
            {
                _families[instrument] = MetricFamily.For(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out MetricFamily? _);
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every family, sorted by name, with HELP and TYPE lines, as a scrape returns it.</summary>
    public string Write()
    {
        _listener.RecordObservableInstruments();
        var text = new System.Text.StringBuilder();
        foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            family.WriteTo(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_families.TryGetValue(instrument, out var family))
        {
            family.Record(value, tags);
        }
    }
}
