using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tollgate.Server.Tests.OpenApi;

/// <summary>
/// Checks a JSON value against a schema of the served OpenAPI document: the JSON Schema keywords the document uses ($ref,
/// type, properties, required, additionalProperties, enum, oneOf, items, minimum/maximum, min/maxLength, pattern,
/// min/maxItems). The project has no JSON Schema library; this is the part a generated client relies on.
/// </summary>
public sealed class SchemaCheck(JsonNode document)
{
    public List<string> Errors(JsonNode? value, JsonNode schema, string path = "$")
    {
        var errors = new List<string>();
        Check(value, schema, path, errors);
        return errors;
    }

    private void Check(JsonNode? value, JsonNode schema, string path, List<string> errors)
    {
        if (schema["$ref"] is JsonValue reference)
        {
            var name = reference.GetValue<string>().Replace("#/components/schemas/", "", StringComparison.Ordinal);
            Check(value, document["components"]!["schemas"]![name]!, path, errors);
        }

        if (schema["oneOf"] is JsonArray oneOf)
        {
            var matching = oneOf.Count(option => Errors(value, option!, path).Count == 0);
            if (matching != 1)
            {
                errors.Add($"{path}: matches {matching} of oneOf's {oneOf.Count} schemas");
            }
        }

        if (schema["type"] is { } type && !Types(type).Contains(TypeOf(value)) && !(TypeOf(value) == "integer" && Types(type).Contains("number")))
        {
            errors.Add($"{path}: is {TypeOf(value)}, the schema allows {type.ToJsonString()}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{path}: {value?.ToJsonString() ?? "null"} is not one of {allowed.ToJsonString()}");
        }

        switch (value)
        {
            case JsonObject o:
                CheckObject(o, schema, path, errors);
                break;
            case JsonArray a:
                CheckArray(a, schema, path, errors);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                var number = v.GetValue<decimal>();
                if (Bound(schema, "minimum") is { } min && number < min)
                {
                    errors.Add($"{path}: {number} is below the minimum {min}");
                }

                if (Bound(schema, "maximum") is { } max && number > max)
                {
                    errors.Add($"{path}: {number} is above the maximum {max}");
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                if (schema["maxLength"] is { } maxLength && text.Length > maxLength.GetValue<int>())
                {
                    errors.Add($"{path}: longer than {maxLength}");
                }

                if (schema["minLength"] is { } minLength && text.Length < minLength.GetValue<int>())
                {
                    errors.Add($"{path}: shorter than {minLength}");
                }

                if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern.GetValue<string>()))
                {
                    errors.Add($"{path}: '{text}' does not match {pattern}");
                }

                break;
        }
    }

    private void CheckObject(JsonObject o, JsonNode schema, string path, List<string> errors)
    {
        var properties = schema["properties"] as JsonObject;
        foreach (var name in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            if (!o.ContainsKey(name))
            {
                errors.Add($"{path}.{name}: is required");
            }
        }

        foreach (var (name, item) in o)
        {
            if (properties?[name] is { } property)
            {
                Check(item, property, $"{path}.{name}", errors);
            }
            else if (schema["additionalProperties"] is JsonValue extra && !extra.GetValue<bool>())
            {
                errors.Add($"{path}.{name}: is not a property of the schema");
            }
            else if (schema["additionalProperties"] is JsonObject extraSchema)
            {
                Check(item, extraSchema, $"{path}.{name}", errors);
            }
        }
    }

    private void CheckArray(JsonArray a, JsonNode schema, string path, List<string> errors)
    {
        if (schema["maxItems"] is { } maxItems && a.Count > maxItems.GetValue<int>())
        {
            errors.Add($"{path}: more than {maxItems} items");
        }

        if (schema["minItems"] is { } minItems && a.Count < minItems.GetValue<int>())
        {
            errors.Add($"{path}: fewer than {minItems} items");
        }

        if (schema["items"] is { } items)
        {
            for (var i = 0; i < a.Count; i++)
            {
                Check(a[i], items, $"{path}[{i}]", errors);
            }
        }
    }

    private static decimal? Bound(JsonNode schema, string name) => schema[name] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<decimal>(),
        JsonValue v => decimal.Parse(v.GetValue<string>(), CultureInfo.InvariantCulture),
        _ => null,
    };

    private static IReadOnlyList<string> Types(JsonNode type) =>
        type is JsonArray list ? [.. list.Select(t => t!.GetValue<string>())] : [type.GetValue<string>()];

    private static string TypeOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number when value.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0 => "integer",
            JsonValueKind.Number => "number",
            _ => "null",
        },
    };
}
