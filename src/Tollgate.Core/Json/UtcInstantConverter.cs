using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tollgate.Core.Json;

/// <summary>Writes instants as "2026-01-31T00:00:00Z" and refuses timestamps that do not say their offset.</summary>
public sealed class UtcInstantConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return text is not null && TryParse(text, out var value)
            ? value
            : throw new JsonException("must be an ISO 8601 instant with Z or an offset, such as 2026-01-31T12:00:00Z");
    }

    /// <summary>An instant written with its date, time and Z or an offset, in UTC; false for anything else.</summary>
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        if (!HasOffset(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }

        value = parsed.ToUniversalTime();
        return true;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture));

    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.Ordinal);
        if (t < 0)
        {
            return false;
        }

        var time = text[t..];
        return time.EndsWith('Z') || time.EndsWith('z') || time.Contains('+', StringComparison.Ordinal) || time.Contains('-', StringComparison.Ordinal);
    }
}
