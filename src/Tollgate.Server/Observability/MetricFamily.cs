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

    // Every measurement looks its series up by its tags as passed (a span), so recording builds no label text and, once the
    // series exists, allocates nothing.
    private readonly ConcurrentDictionary<TagSet, Series> _byTags = new(TagSet.Comparer.Instance);
    private readonly ConcurrentDictionary<TagSet, Series>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;
    private readonly double[] _buckets;
    private readonly Kind _kind;

    private MetricFamily(string name, Kind kind, string help, double[] buckets)
    {
        (Name, _kind, Help, _buckets) = (name, kind, help, buckets);
        _lookup = _byTags.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    /// <summary>How a measurement changes its series: a synchronous counter adds, an observed value replaces.</summary>
    private enum Kind
    {
        Counter,
        ObservedCounter,
        UpDown,
        Gauge,
        Histogram,
    }

    public string Name { get; }

    public string Type => _kind switch
    {
        Kind.Counter or Kind.ObservedCounter => "counter",
        Kind.Histogram => "histogram",
        _ => "gauge",
    };

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
        if (name.EndsWith("_count", StringComparison.Ordinal) && instrument is not (Histogram<long> or Histogram<int> or Histogram<double>))
        {
            // Prometheus reads a _count suffix as a histogram's: db.client.connection.count becomes db_client_connections.
            name = Plural(name[..^"_count".Length]);
        }

        return instrument switch
        {
            Counter<long> or Counter<int> or Counter<double> => new MetricFamily(name + "_total", Kind.Counter, help, []),
            ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> =>
                new MetricFamily(name + "_total", Kind.ObservedCounter, help, []),
            UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double> => new MetricFamily(name, Kind.UpDown, help, []),
            Histogram<long> h =>
                new MetricFamily(name, Kind.Histogram, help, Buckets(h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b))),
            Histogram<int> h =>
                new MetricFamily(name, Kind.Histogram, help, Buckets(h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b))),
            Histogram<double> h => new MetricFamily(name, Kind.Histogram, help, Buckets(h.Advice?.HistogramBucketBoundaries)),
            _ => new MetricFamily(name, Kind.Gauge, help, []),
        };
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = SeriesFor(tags);
        lock (series)
        {
            switch (_kind)
            {
                case Kind.Gauge or Kind.ObservedCounter:
                    series.Sum = value; // an observation is the current value (or running total), not a change
                    return;
                case Kind.Counter or Kind.UpDown:
                    series.Sum += value;
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
                if (_kind != Kind.Histogram)
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
        if (_lookup.TryGetValue(tags, out var known))
        {
            return known;
        }

        // The same labels passed in another order share one series, so the exposition never repeats a line.
        var series = _series.GetOrAdd(Labels(tags), _ => new Series(_buckets.Length));
        _lookup.TryAdd(tags, series);
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

    private static double[] Buckets(IEnumerable<double>? advised) => advised?.ToArray() ?? DefaultBuckets;

    private static string Plural(string name) =>
        name.EndsWith('y') && name.Length > 1 && !"aeiou".Contains(name[^2], StringComparison.Ordinal) ? name[..^1] + "ies" : name + "s";

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

    /// <summary>Tags in the order the instrument passed them; boxed numbers compare by value.</summary>
    private sealed class TagSet(KeyValuePair<string, object?>[] tags)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public sealed class Comparer
            : IEqualityComparer<TagSet>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagSet>
        {
            public static readonly Comparer Instance = new();

            public bool Equals(TagSet? x, TagSet? y) => ReferenceEquals(x, y) || (x is not null && y is not null && Equals(x.Tags, y));

            public int GetHashCode(TagSet obj) => GetHashCode(obj.Tags);

            public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagSet other)
            {
                var tags = other.Tags;
                if (alternate.Length != tags.Length)
                {
                    return false;
                }

                for (var i = 0; i < tags.Length; i++)
                {
                    if (!string.Equals(alternate[i].Key, tags[i].Key, StringComparison.Ordinal)
                        || !object.Equals(alternate[i].Value, tags[i].Value))
                    {
                        return false;
                    }
                }

                return true;
            }

            public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate)
            {
                var hash = new HashCode();
                foreach (var (key, value) in alternate)
                {
                    hash.Add(key, StringComparer.Ordinal);
                    hash.Add(value);
                }

                return hash.ToHashCode();
            }

            public TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate.ToArray());
        }
    }

    private sealed class Series(int buckets)
    {
        public long[] Buckets { get; } = new long[buckets];

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
