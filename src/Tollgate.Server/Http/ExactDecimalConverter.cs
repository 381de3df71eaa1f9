using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tollgate.Core.Json;

namespace Tollgate.Server.Http;

/// <summary>
/// Reads a request's decimal only when its JSON number is exactly that decimal: the default converter rounds a number
/// with more digits than a decimal holds (20.0000000000000000000000000001 reads as 20), so a field's own check of its
/// decimal places passed a value that was never sent. Writes as the default converter does.
/// </summary>
internal sealed class ExactDecimalConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var value))
        {
            throw new JsonException("must be a number");
        }

        var raw = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        return ExactDecimal.Holds(raw, value) ? value : throw new JsonException(ExactDecimal.Problem);
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
