using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tollgate.Core.Money;

namespace Tollgate.Server.Exports;

public enum ExportFormat
{
    Csv,
    Ndjson,
}

/// <summary>
/// Writes export rows as CSV (RFC 4180: header row, CRLF, quoted fields) or NDJSON through one small reused buffer,
/// so memory stays flat. Money is written in decimal units next to its currency; instants in ISO 8601 UTC.
/// </summary>
public sealed class ExportWriter(ExportQueries queries)
{
    private const int FlushBytes = 64 * 1024;

    /// <summary>csv (the default when left out) or ndjson.</summary>
    public static bool TryParseFormat(string? text, out ExportFormat format)
    {
        format = text == "ndjson" ? ExportFormat.Ndjson : ExportFormat.Csv;
        return text is null or "" or "csv" or "ndjson";
    }

    public static string ContentType(ExportFormat format) => format == ExportFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson";

    /// <summary>Writes every row of the range to <paramref name="output"/>; <paramref name="progress"/> hears the running row count.</summary>
    public async Task<long> WriteAsync(
        ExportSpec spec, DateTimeOffset from, DateTimeOffset to, ExportFormat format, Stream output, Action<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var buffer = new ArrayBufferWriter<byte>(FlushBytes * 2);
        using var json = new Utf8JsonWriter(buffer, Readably);
        var line = new StringBuilder();
        if (format == ExportFormat.Csv)
        {
            Append(buffer, string.Join(',', spec.Columns.Select(c => Quote(c.Name))) + "\r\n");
        }

        long rows = 0;
        await foreach (var row in queries.ReadAsync(spec, from, to, cancellationToken))
        {
            if (format == ExportFormat.Csv)
            {
                line.Clear();
                WriteCsv(spec, row, line);
                foreach (var chunk in line.Append("\r\n").GetChunks())
                {
                    buffer.Advance(Encoding.UTF8.GetBytes(chunk.Span, buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length))));
                }
            }
            else
            {
                json.Reset(buffer);
                WriteJson(spec, row, json);
                json.Flush();
                Append(buffer, "\n");
            }

            if (++rows % 1000 == 0)
            {
                progress?.Invoke(rows);
            }

            if (buffer.WrittenCount >= FlushBytes)
            {
                await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await output.FlushAsync(cancellationToken);
        progress?.Invoke(rows);
        return rows;
    }

    private static void Append(ArrayBufferWriter<byte> buffer, string text) =>
        buffer.Advance(Encoding.UTF8.GetBytes(text, buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length))));

    private static void WriteCsv(ExportSpec spec, DbDataReader row, StringBuilder line)
    {
        for (var i = 0; i < spec.Columns.Count; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            if (!row.IsDBNull(i))
            {
                var text = spec.Columns[i].Type == ExportColumnType.Json ? Readable(row.GetString(i)) : Text(spec, row, i);
                line.Append(Quote(spec.Columns[i].Type is ExportColumnType.Text or ExportColumnType.Json ? Inert(text) : text));
            }
        }
    }

    private static void WriteJson(ExportSpec spec, DbDataReader row, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        for (var i = 0; i < spec.Columns.Count; i++)
        {
            var column = spec.Columns[i];
            json.WritePropertyName(column.Name);
            if (row.IsDBNull(i))
            {
                json.WriteNullValue();
                continue;
            }

            switch (column.Type)
            {
                case ExportColumnType.Integer:
                    json.WriteNumberValue(row.GetInt64(i));
                    break;
                case ExportColumnType.Boolean:
                    json.WriteBooleanValue(Flag(row, i));
                    break;
                case ExportColumnType.Json:
                    json.WriteRawValue(Readable(row.GetString(i)), skipInputValidation: true);
                    break;
                case ExportColumnType.MinorUnits or ExportColumnType.NanoUsd:
                    json.WriteNumberValue(Decimal(spec, row, i));
                    break;
                default:
                    json.WriteStringValue(Text(spec, row, i));
                    break;
            }
        }

        json.WriteEndObject();
    }

    private static string Text(ExportSpec spec, DbDataReader row, int i) => spec.Columns[i].Type switch
    {
        ExportColumnType.Integer => row.GetInt64(i).ToString(CultureInfo.InvariantCulture),
        ExportColumnType.Instant => DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(i)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        ExportColumnType.Boolean => Flag(row, i) ? "true" : "false",
        ExportColumnType.MinorUnits => Decimal(spec, row, i).ToString("F" + Currency.Exponent(row.GetString(spec.CurrencyIndex)), CultureInfo.InvariantCulture),
        ExportColumnType.NanoUsd => Decimal(spec, row, i).ToString("0.000000000", CultureInfo.InvariantCulture),
        _ => Convert.ToString(row.GetValue(i), CultureInfo.InvariantCulture) ?? "",
    };

    // Decimal only here, at the edge: storage holds integer minor units and nano-USD.
    private static decimal Decimal(ExportSpec spec, DbDataReader row, int i) => spec.Columns[i].Type == ExportColumnType.NanoUsd
        ? row.GetInt64(i) / 1_000_000_000m
        : MinorUnits.ToMajor(row.GetInt64(i), row.GetString(spec.CurrencyIndex));

    // SQLite stores booleans as integers, PostgreSQL as booleans.
    private static bool Flag(DbDataReader row, int i) => row.GetValue(i) switch { bool b => b, var v => Convert.ToInt64(v, CultureInfo.InvariantCulture) != 0 };

    // Exports are read in spreadsheets and editors, never put in a page: "Zoë" and "+" are written as themselves.
    private static readonly JsonWriterOptions Readably = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A stored JSON value in one form whatever wrote it (the server's serializer, a client's own spacing): compact, escaping only what JSON needs.</summary>
    public static string Readable(string stored)
    {
        try
        {
            using var document = JsonDocument.Parse(stored);
            var buffer = new ArrayBufferWriter<byte>(stored.Length + 16);
            using (var writer = new Utf8JsonWriter(buffer, Readably))
            {
                document.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (JsonException)
        {
            // Tollgate stores JSON here; a row that is not is exported as a string holding its text, still valid JSON.
            return JsonSerializer.Serialize(stored, new JsonSerializerOptions { Encoder = Readably.Encoder });
        }
    }

    /// <summary>
    /// Formula injection (OWASP): a spreadsheet runs a cell that starts with = + - @, a tab or a CR as a formula, so such a
    /// text cell (a name, metadata, an id the caller chose) gets a leading single quote. Numbers and amounts are never text.
    /// </summary>
    public static string Inert(string cell) => cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + cell : cell;

    /// <summary>RFC 4180: a field with a comma, quote, CR or LF is quoted, with quotes doubled.</summary>
    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
