using System.Text.Json;
using Tollgate.Core.Json;

namespace Tollgate.Core.Catalog;

/// <summary>The catalog's <c>metrics</c> list: read with path-named problems, written in the document's shape.</summary>
public static class CatalogMetrics
{
    public const int MaxGroupBy = 3;
    public const int MaxFilters = 10;
    public const int MaxFilterValues = 50;

    /// <summary>A metric as read, with whether the document gave its event (one without may only serve a plan feature).</summary>
    internal sealed record ReadMetric(BillableMetric Metric, bool EventGiven, string Path);

    /// <summary>
    /// Reads <c>metrics</c>; empty when absent. A metric without <c>event</c> reads events named after its code.
    /// <paramref name="seen"/> holds every code given, a metric refused for its own fields included, so a plan feature naming
    /// it is not also told it names no metric: the metric's own problem says what is wrong.
    /// </summary>
    internal static List<ReadMetric> Read(ElementReader root, List<DocumentProblem> problems, out IReadOnlySet<string> seen)
    {
        var metrics = new List<ReadMetric>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        seen = codes;
        foreach (var (element, path) in root.Array("metrics", required: false, maxItems: 200))
        {
            var r = new ElementReader(element, path, problems, "code", "name", "event", "aggregation", "property", "filters", "group_by");
            var code = r.String("code", required: true, 64, CatalogDocument.Code(), CatalogDocument.CodeHint);
            var name = r.String("name", required: true);
            var eventName = r.String("event", required: false, 64);
            if (eventName is { Length: 0 })
            {
                r.Problem(r.Child("event"), "must be 1-64 characters");
                eventName = null;
            }

            var aggregationText = r.String("aggregation", required: true, 32);
            var aggregationOk = MetricAggregationNames.TryParse(aggregationText, out var aggregation);
            if (aggregationText is not null && !aggregationOk)
            {
                r.Problem(r.Child("aggregation"), MetricAggregationNames.Hint);
            }

            var property = r.String("property", required: false, 64);
            if (property is { Length: 0 })
            {
                r.Problem(r.Child("property"), "must be a property name of 1-64 characters");
            }
            else if (aggregationOk && aggregation != MetricAggregation.Count && r.Raw("property") is null or { ValueKind: JsonValueKind.Null })
            {
                // Absent or null: "property": null is as missing as no key (a wrong type was named by String above).
                r.Problem(r.Child("property"), $"is required for {aggregationText}: name the event property it reads"
                    + (aggregation == MetricAggregation.UniqueCount ? "" : " (a whole number)"));
            }
            else if (aggregationOk && aggregation == MetricAggregation.Count && property is not null)
            {
                r.Problem(r.Child("property"), "does not apply to count, which counts events");
            }

            var filters = ReadFilters(r, problems);
            var groupBy = ReadGroupBy(r);
            if (code is not null && !codes.Add(code))
            {
                r.Problem(r.Child("code"), $"duplicates metric '{code}'");
                continue;
            }

            if (code is not null && name is not null && aggregationOk && (property is not null || aggregation == MetricAggregation.Count)
                && filters is not null && groupBy is not null)
            {
                metrics.Add(new ReadMetric(new BillableMetric(code, name, eventName ?? code, aggregation, property, filters, groupBy),
                    eventName is not null, path));
            }
        }

        return metrics;
    }

    /// <summary>A metric with no event and no plan feature using it would read events named after its code for nothing.</summary>
    internal static void CheckUsed(ElementReader root, IReadOnlyList<ReadMetric> metrics, IEnumerable<PlanDefinition> plans)
    {
        var used = plans.SelectMany(p => p.Terms.Features).Select(f => f.Metric).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var read in metrics.Where(m => !m.EventGiven && !used.Contains(m.Metric.Code)))
        {
            root.Problem(read.Path + ".event", "is required: no plan feature uses this metric, so name the event it reads");
        }
    }

    private static Dictionary<string, IReadOnlyList<string>>? ReadFilters(ElementReader metric, List<DocumentProblem> problems)
    {
        var filters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (metric.Raw("filters") is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return filters;
        }

        var path = metric.Child("filters");
        if (element.ValueKind != JsonValueKind.Object)
        {
            metric.Problem(path, "must be an object of property name to a list of values, such as {\"region\": [\"eu\"]}");
            return null;
        }

        var before = problems.Count;
        foreach (var property in element.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            if (property.Name.Length is 0 or > 64)
            {
                metric.Problem(at, "must be a property name of 1-64 characters");
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() is 0 or > MaxFilterValues)
            {
                metric.Problem(at, $"must be a list of 1-{MaxFilterValues} values");
                continue;
            }

            var values = new List<string>();
            var index = 0;
            foreach (var value in property.Value.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length > 256)
                {
                    metric.Problem($"{at}[{index}]", "must be a string of at most 256 characters");
                }
                else if (!values.Contains(value.GetString()!, StringComparer.Ordinal))
                {
                    values.Add(value.GetString()!);
                }

                index++;
            }

            filters[property.Name] = values;
        }

        if (filters.Count > MaxFilters)
        {
            metric.Problem(path, $"must have at most {MaxFilters} properties");
        }

        return problems.Count == before ? filters : null;
    }

    private static List<string>? ReadGroupBy(ElementReader metric)
    {
        if (metric.Raw("group_by") is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > MaxGroupBy)
        {
            metric.Problem(metric.Child("group_by"), $"must have at most {MaxGroupBy} property names");
            return null;
        }

        var groupBy = new List<string>();
        var ok = true;
        foreach (var (element, path) in metric.Array("group_by", required: false, maxItems: MaxGroupBy))
        {
            if (element.ValueKind != JsonValueKind.String || element.GetString() is not { Length: > 0 and <= 64 } name)
            {
                metric.Problem(path, "must be a property name of 1-64 characters");
                ok = false;
            }
            else if (groupBy.Contains(name, StringComparer.Ordinal))
            {
                metric.Problem(path, $"lists '{name}' twice");
                ok = false;
            }
            else
            {
                groupBy.Add(name);
            }
        }

        return ok && (metric.Raw("group_by") is not { } raw || raw.ValueKind is JsonValueKind.Array or JsonValueKind.Null) ? groupBy : null;
    }

    /// <summary>Writes <c>metrics</c> when there are any, in code order, each field in the order the docs list them.</summary>
    public static void Write(Utf8JsonWriter w, IReadOnlyList<BillableMetric> metrics)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        w.WriteStartArray("metrics");
        foreach (var m in metrics.OrderBy(m => m.Code, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("code", m.Code);
            w.WriteString("name", m.Name);
            w.WriteString("event", m.Event);
            w.WriteString("aggregation", m.Aggregation.ToWire());
            if (m.Property is { } property)
            {
                w.WriteString("property", property);
            }

            if (m.Filters.Count > 0)
            {
                w.WriteStartObject("filters");
                foreach (var (name, values) in m.Filters.OrderBy(f => f.Key, StringComparer.Ordinal))
                {
                    w.WriteStartArray(name);
                    foreach (var value in values)
                    {
                        w.WriteStringValue(value);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            if (m.GroupBy.Count > 0)
            {
                w.WriteStartArray("group_by");
                foreach (var name in m.GroupBy)
                {
                    w.WriteStringValue(name);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>The stored form (one JSON column): the document's own shape, so store and export agree.</summary>
    public static string ToJson(IReadOnlyList<BillableMetric> metrics)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            Write(w, metrics);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads the stored form back; the column holds only what <see cref="ToJson"/> wrote, which reads without problems.</summary>
    public static IReadOnlyList<BillableMetric> FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        var problems = new List<DocumentProblem>();
        var reader = new ElementReader(document.RootElement, "", problems, "metrics");
        return [.. Read(reader, problems, out _).Select(m => m.Metric).OrderBy(m => m.Code, StringComparer.Ordinal)];
    }

    /// <summary>Equal when they export the same; the records hold lists, which compare by reference.</summary>
    public static bool SameAs(IReadOnlyList<BillableMetric> a, IReadOnlyList<BillableMetric> b) => ToJson(a) == ToJson(b);
}
