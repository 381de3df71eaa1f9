using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Tollgate.Server.Observability;

/// <summary>One instrument as a Prometheus metric family: its name, type and one series per distinct set of labels.</summary>
public sealed class MetricFamily
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

    // Every request records here, so the usual label sets find their series without building the label text again.
    private readonly ConcurrentDictionary<TagKey, Series> _byTags = new();
    private readonly double[] _buckets;

    private MetricFamily(string name, string type, string help, double[] buckets)
    {
        (Name, Type, Help, _buckets) = (name, type, help, buckets);
    }

    public string Name { get; }

    public string Type { get; }

    public string Help { get; }

    /// <summary>tollgate.group_commit.duration in seconds becomes tollgate_group_commit_duration_seconds; a counter ends in _total.</summary>
    public static MetricFamily For(Instrument instrument)
    {
        var unit = instrument.Unit switch
        {
            "s" => "_seconds",
            "nUSD" => "_nano_usd",
            "By" => "_bytes",
            _ => "",
        };
        var name = Sanitize(instrument.Name) + unit;
        var help = instrument.Description ?? instrument.Name;
        return instrument switch
        {
            Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> => new MetricFamily(name + "_total", "counter", help, []),
            Histogram<long> h => new MetricFamily(name, "histogram", help, h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray() ?? DefaultBuckets),
            Histogram<double> h => new MetricFamily(name, "histogram", help, h.Advice?.HistogramBucketBoundaries?.ToArray() ?? DefaultBuckets),
            _ => new MetricFamily(name, "gauge", help, []),
        };
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = SeriesFor(tags);
        lock (series)
        {
            if (Type == "gauge")
            {
                series.Sum = value;
                return;
            }

            series.Sum += value;
            series.Count++;
            for (var i = 0; i < _buckets.Length; i++)
            {
                if (value <= _buckets[i])
                {
                    series.Buckets[i]++;
                }
            }
        }
    }

    public void WriteTo(StringBuilder text)
    {
        text.Append("# HELP ").Append(Name).Append(' ').Append(Help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        text.Append("# TYPE ").Append(Name).Append(' ').Append(Type).Append('\n');
        foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            lock (series)
            {
                if (Type != "histogram")
                {
                    Line(text, Name, labels, Number(series.Sum));
                    continue;
                }

                for (var i = 0; i < _buckets.Length; i++)
                {
                    Line(text, Name + "_bucket", Join(labels, $"le=\"{Number(_buckets[i])}\""), series.Buckets[i].ToString(CultureInfo.InvariantCulture));
                }

                Line(text, Name + "_bucket", Join(labels, "le=\"+Inf\""), series.Count.ToString(CultureInfo.InvariantCulture));
                Line(text, Name + "_sum", labels, Number(series.Sum));
                Line(text, Name + "_count", labels, series.Count.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    private Series SeriesFor(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length > 3)
        {
            return _series.GetOrAdd(Labels(tags), _ => new Series(_buckets.Length));
        }

        KeyValuePair<string, object?> first = tags.Length > 0 ? tags[0] : default, second = tags.Length > 1 ? tags[1] : default,
            third = tags.Length > 2 ? tags[2] : default;
        var key = new TagKey(first.Key, first.Value, second.Key, second.Value, third.Key, third.Value);
        if (_byTags.TryGetValue(key, out var known))
        {
            return known;
        }

        var series = _series.GetOrAdd(Labels(tags), _ => new Series(_buckets.Length));
        _byTags.TryAdd(key, series);
        return series;
    }

    private static void Line(StringBuilder text, string name, string labels, string value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(value).Append('\n');
    }

    private static string Join(string labels, string more) => labels.Length == 0 ? more : labels + "," + more;

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var sorted = tags.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return string.Join(",", sorted.Select(t => $"{Sanitize(t.Key)}=\"{Escape(Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "")}\""));
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Sanitize(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_'));

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Up to three tags in the order the instrument passed them; boxed numbers compare by value.</summary>
    private readonly record struct TagKey(string? Key1, object? Value1, string? Key2, object? Value2, string? Key3, object? Value3);

    private sealed class Series(int buckets)
    {
        public long[] Buckets { get; } = new long[buckets];

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
