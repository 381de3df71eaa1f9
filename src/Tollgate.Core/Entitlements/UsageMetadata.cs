using System.Text;
using System.Text.Json;

namespace Tollgate.Core.Entitlements;

/// <summary>
/// The string pairs a consume, reservation or event keeps with its usage record (seed 004's endpoint, IP, user agent):
/// at most <see cref="MaxKeys"/> non-empty keys, and at most <see cref="MaxBytes"/> UTF-8 bytes of keys and values together
/// (JSON quoting and escapes not counted).
/// </summary>
public static class UsageMetadata
{
    public const int MaxKeys = 20;
    public const int MaxBytes = 4096;

    /// <summary>The field and what is wrong with it, or null when the metadata is fine (or absent).</summary>
    public static (string Field, string Problem)? Check(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        if (metadata.Count > MaxKeys)
        {
            return ("metadata", $"must have at most {MaxKeys} keys");
        }

        var bytes = 0;
        foreach (var (key, value) in metadata)
        {
            if (key.Length == 0)
            {
                return ("metadata", "keys must not be empty");
            }

            if (value is null)
            {
                return ($"metadata.{key}", "must be a string");
            }

            bytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }

        return bytes > MaxBytes ? ("metadata", $"keys and values must be at most {MaxBytes} bytes of UTF-8 together (these are {bytes})") : null;
    }

    /// <summary>Reads metadata from a JSON value: an object of strings, or null/absent; the problem names the field.</summary>
    public static (IReadOnlyDictionary<string, string>? Metadata, (string Field, string Problem)? Problem) Read(JsonElement? element)
    {
        if (element is not { } e || e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return (null, null);
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            return (null, ("metadata", "must be an object of strings"));
        }

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in e.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                return (null, ($"metadata.{property.Name}", "must be a string"));
            }

            pairs[property.Name] = property.Value.GetString()!;
        }

        return Check(pairs) is { } problem ? (null, problem) : (pairs, null);
    }

    /// <summary>The stored form: a JSON object, or null when there is nothing to keep.</summary>
    public static string? ToJson(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null or { Count: 0 } ? null : JsonSerializer.Serialize(metadata);
}
