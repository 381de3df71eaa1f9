using System.Globalization;
using System.Text.Json;

namespace Tollgate.Core.Catalog;

/// <summary>How a billable metric folds the events of one window into one number.</summary>
public enum MetricAggregation
{
    Count,
    Sum,
    Max,
    UniqueCount,
    Latest,
}

/// <summary>
/// A billable metric: the events named <see cref="Event"/> that pass every <see cref="Filters"/> entry, folded by
/// <see cref="Aggregation"/> over <see cref="Property"/> per quota window, and split per <see cref="GroupBy"/> values.
/// </summary>
public sealed record BillableMetric(
    string Code,
    string Name,
    string Event,
    MetricAggregation Aggregation,
    string? Property,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Filters,
    IReadOnlyList<string> GroupBy)
{
    /// <summary>Sum, max and latest read a whole number of the property; unique_count reads any scalar; count reads none.</summary>
    public bool ReadsNumber => Aggregation is MetricAggregation.Sum or MetricAggregation.Max or MetricAggregation.Latest;

    /// <summary>Whether every filtered property of the event has one of the listed values (a number or boolean as its JSON text).</summary>
    public bool Matches(JsonElement properties) =>
        Filters.All(f => properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(f.Key, out var value)
            && ScalarText(value) is { } text && f.Value.Contains(text, StringComparer.Ordinal));

    /// <summary>The event's group as a JSON object of the group_by properties in order (null where the event lacks one); "" without group_by.</summary>
    public string GroupKey(JsonElement properties)
    {
        if (GroupBy.Count == 0)
        {
            return "";
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var name in GroupBy)
            {
                w.WritePropertyName(name);
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var value))
                {
                    value.WriteTo(w);
                }
                else
                {
                    w.WriteNullValue();
                }
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A scalar as text: a string as itself, a number normalised (1.0 is 1), a boolean as true or false.</summary>
    public static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetDecimal(out var d) ? Normalised(d) : value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>
    /// The distinct value unique_count keeps: typed, so the string "1" and the number 1 are two users, and 1.0 is the number 1.
    /// </summary>
    public static string? DistinctValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "s:" + value.GetString(),
        JsonValueKind.Number => "n:" + ScalarText(value),
        JsonValueKind.True or JsonValueKind.False => "b:" + ScalarText(value),
        _ => null,
    };

    private static string Normalised(decimal d) => (d / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}

public static class MetricAggregationNames
{
    private static readonly (MetricAggregation Value, string Wire)[] Names =
    [
        (MetricAggregation.Count, "count"), (MetricAggregation.Sum, "sum"), (MetricAggregation.Max, "max"),
        (MetricAggregation.UniqueCount, "unique_count"), (MetricAggregation.Latest, "latest"),
    ];

    public const string Hint = "must be one of count, sum, max, unique_count, latest";

    public static string ToWire(this MetricAggregation aggregation) => Names.First(n => n.Value == aggregation).Wire;

    public static bool TryParse(string? text, out MetricAggregation aggregation)
    {
        foreach (var (value, wire) in Names)
        {
            if (string.Equals(wire, text, StringComparison.Ordinal))
            {
                aggregation = value;
                return true;
            }
        }

        aggregation = default;
        return false;
    }
}
