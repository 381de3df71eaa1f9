using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;

using Tollgate.Core.Json;

namespace Tollgate.Server.Http;

/// <summary>
/// Says what is wrong with a JSON body the serializer refused, in wire terms and naming the field. It reads no exception
/// text: it follows <see cref="JsonException.Path"/> through the body (kept readable by <see cref="JsonBodyCheck"/>) and
/// through the endpoint's request type as the serializer sees it, and compares the two.
/// </summary>
public static class JsonProblem
{
    /// <summary>
    /// What is wrong, naming the field: a JSON number an integer field refuses (a fraction, or past the field's range) is
    /// a value problem (validation_failed, as the endpoint's own range checks answer); anything else is invalid_json.
    /// </summary>
    public static JsonBodyProblem Describe(JsonException json, HttpContext http, JsonSerializerOptions options)
    {
        var path = JsonPath.Parse(json.Path);
        var field = JsonPath.Render(path);
        var type = Endpoint(http)?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        if (type is null || ReadBody(http.Request) is not { } document)
        {
            return field is null ? new JsonBodyProblem("body", "The body does not have the shape this endpoint accepts.", IsValidJson: false)
                : JsonBodyProblem.Invalid(field, "has the wrong type");
        }

        using (document)
        {
            return Describe(document.RootElement, options.GetTypeInfo(type), path, field, options);
        }
    }

    // A field named "" is named as JSON writes it, "", where the problem read ": unknown field".
    private static JsonBodyProblem Unknown(string? parent, string name)
    {
        var shown = name.Length == 0 ? "\"\"" : name;
        return JsonBodyProblem.Invalid(parent is null ? shown : $"{parent}.{shown}", "unknown field");
    }

    private static JsonBodyProblem Describe(JsonElement root, JsonTypeInfo info, IReadOnlyList<object> path, string? field, JsonSerializerOptions options)
    {
        JsonElement? element = root;
        var declared = info.Type;
        var owner = (Type?)null;
        for (var i = 0; i < path.Count; i++)
        {
            var segment = path[i];
            if (segment is string name && info.Kind is JsonTypeInfoKind.Object)
            {
                if (info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, Comparison(options))) is not { } property)
                {
                    return Unknown(JsonPath.Render([.. path.Take(i)]), name);
                }

                owner = info.Type;
                (declared, info) = (property.PropertyType, options.GetTypeInfo(property.PropertyType));
                element = element is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var value) ? value : null;
            }
            else if ((segment is string && info.Kind is JsonTypeInfoKind.Dictionary) || (segment is int && info.Kind is JsonTypeInfoKind.Enumerable))
            {
                (owner, declared, info) = (null, info.ElementType!, options.GetTypeInfo(info.ElementType!));
                element = Child(element, segment);
            }
            else
            {
                return JsonBodyProblem.Invalid(field ?? "body", "has the wrong type");
            }
        }

        if (element is { ValueKind: JsonValueKind.Object } obj && info.Kind is JsonTypeInfoKind.Object)
        {
            var prefix = field is null ? "" : field + ".";
            if (info.Properties.FirstOrDefault(p => p.IsRequired && !Has(obj, p.Name, options)) is { } missing)
            {
                return JsonBodyProblem.Invalid($"{prefix}{missing.Name}", "is required");
            }

            // Names, not JsonProperty: the default JsonProperty FirstOrDefault gives when every name is known throws on .Name.
            if (obj.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !info.Properties.Any(m => string.Equals(m.Name, name, Comparison(options))))
                is { } unknown)
            {
                return Unknown(field, unknown);
            }
        }

        var at = field ?? "body";
        var amount = owner is not null && path is [.., string last] ? Validate.AmountRange(owner, last) : null;
        if (element is { ValueKind: JsonValueKind.Number } number && IsInteger(declared))
        {
            return JsonBodyProblem.Refused(at, amount is var (min, max) ? Validate.Amount(number, min, max).Problem! : IntegerProblem(number, declared));
        }

        // A number a decimal field refused is past what it holds (1e400): too large, as an integer field says it; or it
        // holds, but only rounded (ExactDecimalConverter).
        if (element is { ValueKind: JsonValueKind.Number } big && (Nullable.GetUnderlyingType(declared) ?? declared) is var d
            && (d == typeof(decimal) || d == typeof(double)))
        {
            return JsonBodyProblem.Refused(at, d == typeof(decimal) && big.TryGetDecimal(out _) ? ExactDecimal.Problem
                : big.GetRawText().StartsWith('-') ? "is too small" : "is too large");
        }

        return element is { ValueKind: JsonValueKind.Null } ? JsonBodyProblem.Invalid(at, "must not be null")
            : JsonBodyProblem.Invalid(at, amount is var (least, most) ? Validate.Amount(element ?? default, least, most).Problem! : Expected(declared));
    }

    private static (decimal Min, decimal Max) Range(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(short) => (short.MinValue, short.MaxValue),
        var t when t == typeof(int) => (int.MinValue, int.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    private static bool IsInteger(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is var t && (t == typeof(int) || t == typeof(long) || t == typeof(short));

    /// <summary>A JSON number an integer field of no stated range refused: a fraction, or a whole number past what the field holds.</summary>
    private static string IntegerProblem(JsonElement number, Type declared) =>
        Validate.WholeButNotInteger(number, Range(declared).Min, Range(declared).Max) ? Validate.NotIntegerSyntax
        : number.TryGetDecimal(out var d) && d != decimal.Truncate(d) ? "must be a whole number"
        : number.GetRawText().StartsWith('-') ? "is too small" : "is too large";

    /// <summary>The endpoint that failed: the exception handler middleware clears it from the context and keeps it on its feature.</summary>
    public static Endpoint? Endpoint(HttpContext http) => http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint();

    /// <summary>The body as the request holds it after <see cref="JsonBodyCheck"/>: a seekable copy, read again here.</summary>
    private static JsonDocument? ReadBody(HttpRequest request)
    {
        if (!request.Body.CanSeek)
        {
            return null;
        }

        request.Body.Position = 0;
        try
        {
            return JsonDocument.Parse(request.Body);
        }
        catch (JsonException)
        {
            return null; // JsonBodyCheck lets no malformed body through; one it did not read (an encoded body) is described by path alone
        }
    }

    private static JsonElement? Child(JsonElement? element, object segment) => (element, segment) switch
    {
        ({ ValueKind: JsonValueKind.Object } o, string name) when o.TryGetProperty(name, out var value) => value,
        ({ ValueKind: JsonValueKind.Array } a, int index) when index < a.GetArrayLength() => a[index],
        _ => null,
    };

    private static bool Has(JsonElement obj, string name, JsonSerializerOptions options) =>
        obj.EnumerateObject().Any(p => string.Equals(p.Name, name, Comparison(options)));

    private static StringComparison Comparison(JsonSerializerOptions options) =>
        options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) || t == typeof(long) || t == typeof(short) => "must be a whole number",
        var t when t == typeof(decimal) || t == typeof(double) => "must be a number",
        var t when t == typeof(bool) => "must be true or false",
        var t when t == typeof(DateTimeOffset) || t == typeof(DateTime) => "must be an ISO 8601 instant",
        var t when t.IsEnum => "is not one of the allowed values",
        _ => "has the wrong type",
    };
}

/// <summary>The serializer's JSON path ($.items[0].name, $['odd key']) as property names and array indexes.</summary>
public static class JsonPath
{
    public static IReadOnlyList<object> Parse(string? path)
    {
        var segments = new List<object>();
        var i = path is ['$', ..] ? 1 : 0;
        while (path is not null && i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['", StringComparison.Ordinal) && path.IndexOf("']", i + 2, StringComparison.Ordinal) is var close and > 0)
            {
                segments.Add(path[(i + 2)..close]);
                i = close + 2;
            }
            else if (path[i] == '[' && path.IndexOf(']', i) is var bracket and > 0
                && int.TryParse(path.AsSpan(i + 1, bracket - i - 1), System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                segments.Add(index);
                i = bracket + 1;
            }
            else
            {
                break; // a path the serializer did not write; what was read so far still names the field
            }
        }

        return segments;
    }

    /// <summary>The field as the docs write it (items[0].name), or null for the body itself.</summary>
    public static string? Render(IReadOnlyList<object> segments)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in segments)
        {
            _ = segment is int index
                ? text.Append('[').Append(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']')
                : text.Append(text.Length > 0 ? "." : "").Append((string)segment);
        }

        return text.Length == 0 ? null : text.ToString();
    }
}
