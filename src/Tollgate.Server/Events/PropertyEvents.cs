using System.Text.Json;
using Tollgate.Core.Catalog;
using Tollgate.Core.Json;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Events;

/// <summary>
/// Reads the events that name an <c>event</c> and carry <c>properties</c>. Unlike the feature form, a malformed one fails
/// the whole request (400 naming its path) so nothing of a batch the sender must fix is half written.
/// </summary>
internal static class PropertyEvents
{
    public const int MaxProperties = 32;
    public const int MaxKeyLength = 64;
    public const int MaxStringLength = 256;

    /// <summary>
    /// Whether an item of the batch is in the property form: it names an event, or it carries properties and names no
    /// feature, so a missing `event` is a 400 naming it, where the item was rejected alone for a missing feature.
    /// </summary>
    public static bool IsPropertyForm(JsonElement element) => element.ValueKind == JsonValueKind.Object
        && (element.TryGetProperty("event", out _) || (element.TryGetProperty("properties", out _) && !element.TryGetProperty("feature", out _)));

    public static MetricEvent? Parse(int index, JsonElement element, CatalogSnapshot catalog, DateTimeOffset now, Dictionary<string, string> errors)
    {
        var at = $"events[{index}]";
        var problems = new List<DocumentProblem>();
        var r = new ElementReader(element, at, problems, "id", "customer", "event", "timestamp", "properties");
        var id = r.String("id", required: true, 255);
        var customer = r.String("customer", required: true, 255);
        var eventName = r.String("event", required: true, 64);
        var timestamp = Timestamp(r, now);
        if (customer is not null && Validate.Id(customer) is { } badCustomer)
        {
            r.Problem(r.Child("customer"), badCustomer);
        }

        var properties = r.Raw("properties") is { ValueKind: not JsonValueKind.Null } given ? given : (JsonElement?)null;
        if (properties is { } p)
        {
            CheckProperties(r, p, eventName, catalog);
        }

        foreach (var problem in problems)
        {
            errors.TryAdd(problem.Path, problem.Message);
        }

        return problems.Count == 0
            ? new MetricEvent(index, id!, customer!, eventName!, timestamp, properties?.GetRawText() ?? "{}")
            : null;
    }

    private static DateTimeOffset Timestamp(ElementReader r, DateTimeOffset now)
    {
        if (r.String("timestamp", required: false, 64) is not { } text)
        {
            return now;
        }

        try
        {
            // Read as the feature form reads it, so both forms take the same instants.
            return JsonSerializer.Deserialize<DateTimeOffset>(JsonSerializer.Serialize(text), JsonConfig.Create());
        }
        catch (JsonException)
        {
        }

        r.Problem(r.Child("timestamp"), "must be an ISO 8601 instant with its offset, such as 2026-11-24T10:00:00Z");
        return now;
    }

    /// <summary>A flat object of strings, numbers and booleans; a property a metric sums, maxes or keeps latest is a whole number.</summary>
    private static void CheckProperties(ElementReader r, JsonElement properties, string? eventName, CatalogSnapshot catalog)
    {
        var path = r.Child("properties");
        if (properties.ValueKind != JsonValueKind.Object)
        {
            r.Problem(path, "must be an object of strings, numbers and booleans");
            return;
        }

        var count = 0;
        foreach (var property in properties.EnumerateObject())
        {
            count++;
            var at = $"{path}.{(property.Name.Length == 0 ? "\"\"" : property.Name)}"; // "" as JSON writes it, as a body's fields are named
            if (property.Name.Length is 0 or > MaxKeyLength)
            {
                r.Problem(at, $"must be a key of 1-{MaxKeyLength} characters");
                continue;
            }

            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String when property.Value.GetString()!.Length > MaxStringLength:
                    r.Problem(at, $"must be at most {MaxStringLength} characters");
                    break;
                case JsonValueKind.String or JsonValueKind.True or JsonValueKind.False:
                    break;
                case JsonValueKind.Number:
                    CheckNumber(r, at, property, eventName, catalog);
                    break;
                default:
                    r.Problem(at, "must be a string, number or boolean (properties are flat)");
                    break;
            }
        }

        if (count > MaxProperties)
        {
            r.Problem(path, $"must have at most {MaxProperties} keys");
        }

        foreach (var metric in catalog.Metrics.Where(m => m.ReadsNumber && m.Event == eventName && m.Property is not null))
        {
            if (properties.TryGetProperty(metric.Property!, out var value) && value.ValueKind != JsonValueKind.Number)
            {
                r.Problem($"{path}.{metric.Property}", $"must be a whole number from 0 to {CatalogDocument.MaxQuota}: metric '{metric.Code}' reads it");
            }
        }
    }

    private static void CheckNumber(ElementReader r, string at, JsonProperty property, string? eventName, CatalogSnapshot catalog)
    {
        var reader = catalog.Metrics.FirstOrDefault(m => m.ReadsNumber && m.Event == eventName && m.Property == property.Name);
        if (reader is not null && (!property.Value.TryGetInt64(out var whole) || whole is < 0 or > CatalogDocument.MaxQuota))
        {
            r.Problem(at, $"must be a whole number from 0 to {CatalogDocument.MaxQuota}: metric '{reader.Code}' reads it");
        }
        else if (!property.Value.TryGetDecimal(out _))
        {
            r.Problem(at, "must be a number of at most 28 significant digits");
        }
    }
}
