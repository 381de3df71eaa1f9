using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Observability;

/// <summary>
/// Collects this host's instruments through a <see cref="MeterListener"/> and writes them in the Prometheus text format
/// (0.0.4). Kept rather than OpenTelemetry's Prometheus exporter (a beta package that selects meters by name across the
/// process): Tollgate's and ASP.NET Core's meters are read only from this host's <see cref="IMeterFactory"/>, so several
/// hosts in one process never mix their counts, and the family names dashboards use stay as they were.
/// </summary>
public sealed class PrometheusExposition : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _families = new();
    private readonly OutboxBacklogs _backlogs;

    public PrometheusExposition(IMeterFactory meters, OutboxBacklogs backlogs)
    {
        _backlogs = backlogs;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Reads(instrument, meters))
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

    /// <summary>
    /// Meters of this host (its own, the write path's and ASP.NET Core's request duration), the process's runtime meter,
    /// and Npgsql's connection-pool instruments. Npgsql's per-command duration is left out: it would time every hot-path
    /// statement, and the group commit's histograms already do.
    /// </summary>
    private static bool Reads(Instrument instrument, IMeterFactory meters) => instrument.Meter.Name switch
    {
        TollgateMetrics.MeterName or StorageMetrics.MeterName or "Microsoft.AspNetCore.Hosting" =>
            ReferenceEquals(instrument.Meter.Scope, meters),
        "System.Runtime" => true,
        "Npgsql" => instrument.Name.StartsWith("db.client.connection.", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>Reads the outboxes' backlogs from the database first, then writes what a scrape returns.</summary>
    public async Task<string> WriteAsync(CancellationToken cancellationToken = default)
    {
        await _backlogs.RefreshAsync(cancellationToken);
        return Write();
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
