using System.Text.Json;

namespace Tollgate.Server.Payments;

/// <summary>A Stripe payload that lacks a field Tollgate needs, or has it in another shape; <see cref="Field"/> names it.</summary>
public sealed class StripePayloadException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;

    public string Problem { get; } = problem;
}

/// <summary>A JSON value inside a Stripe payload, with its path, so a missing or mistyped field is reported by name.</summary>
public readonly record struct StripeJson(JsonElement Element, string Path)
{
    public StripeJson Object(string name) =>
        Child(name) is { Element.ValueKind: JsonValueKind.Object } child ? child : throw Missing(name, "must be an object");

    public StripeJson? OptionalObject(string name) => Child(name) is { Element.ValueKind: JsonValueKind.Object } child ? child : null;

    public string String(string name) => OptionalString(name) ?? throw Missing(name, "must be a string");

    public string? OptionalString(string name) => Child(name) switch
    {
        null or { Element.ValueKind: JsonValueKind.Null } => null,
        { Element.ValueKind: JsonValueKind.String } child => child.Element.GetString(),
        _ => throw Missing(name, "must be a string"),
    };

    public long Long(string name) => OptionalLong(name) ?? throw Missing(name, "must be a whole number");

    public long? OptionalLong(string name) => Child(name) switch
    {
        null or { Element.ValueKind: JsonValueKind.Null } => null,
        { Element.ValueKind: JsonValueKind.Number } child when child.Element.TryGetInt64(out var value) => value,
        _ => throw Missing(name, "must be a whole number"),
    };

    /// <summary>A decimal number, such as a tax rate's percentage (8.875), read exactly.</summary>
    public decimal? OptionalDecimal(string name) => Child(name) switch
    {
        null or { Element.ValueKind: JsonValueKind.Null } => null,
        { Element.ValueKind: JsonValueKind.Number } child when child.Element.TryGetDecimal(out var value) => value,
        _ => throw Missing(name, "must be a number"),
    };

    public bool Bool(string name) => Child(name) is { Element.ValueKind: JsonValueKind.True };

    /// <summary>Stripe's instants are Unix seconds.</summary>
    public DateTimeOffset Instant(string name) => ToInstant(name, Long(name));

    public DateTimeOffset? OptionalInstant(string name) => OptionalLong(name) is { } seconds ? ToInstant(name, seconds) : null;

    // Years 1 to 9999 only: a signed event far outside them is refused by name, not a 500 from the conversion.
    private DateTimeOffset ToInstant(string name, long seconds) =>
        seconds is >= -62_135_596_800 and <= 253_402_300_799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : throw Missing(name, "must be Unix seconds within years 1 to 9999");

    /// <summary>An id that Stripe may also send expanded, as the object itself.</summary>
    public string? OptionalId(string name) => Child(name) switch
    {
        { Element.ValueKind: JsonValueKind.Object } child => child.String("id"),
        _ => OptionalString(name),
    };

    public string Id(string name) => OptionalId(name) ?? throw Missing(name, "must be an id");

    /// <summary>The items of a Stripe list object (<c>{"object": "list", "data": [...]}</c>); none when it is absent.</summary>
    public IReadOnlyList<StripeJson> List(string name)
    {
        if (OptionalObject(name) is not { } list || list.Child("data") is not { Element.ValueKind: JsonValueKind.Array } data)
        {
            return [];
        }

        return [.. data.Element.EnumerateArray().Select((item, i) => new StripeJson(item, $"{data.Path}[{i}]"))];
    }

    /// <summary>Whether the object has the field at all, even as null: absent and null say different things.</summary>
    public bool Has(string name) => Child(name) is not null;

    /// <summary>The items of a plain JSON array field; null when it is absent or null.</summary>
    public IReadOnlyList<StripeJson>? OptionalArray(string name) => Child(name) switch
    {
        null or { Element.ValueKind: JsonValueKind.Null } => null,
        { Element.ValueKind: JsonValueKind.Array } array => [.. array.Element.EnumerateArray().Select((item, i) => new StripeJson(item, $"{array.Path}[{i}]"))],
        _ => throw Missing(name, "must be an array"),
    };

    public StripePayloadException Missing(string name, string problem) => new($"{Path}.{name}", problem);

    private StripeJson? Child(string name) =>
        Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(name, out var value) ? new StripeJson(value, $"{Path}.{name}") : null;
}
