using System.IO.Compression;
using System.Text.Json;
using Tollgate.Contracts;
using Tollgate.Core.Json;
using Tollgate.Core.Llm;

namespace Tollgate.Server.Llm;

/// <summary>A price table read and applied: what the import endpoint and the <c>llm prices import</c> verb share.</summary>
public static class LlmPriceImport
{
    /// <summary>LiteLLM's whole table is 1.7 MB and grows; the import alone may be this large (after gzip, if sent gzipped).</summary>
    public const long MaxBytes = 32L * 1024 * 1024;

    /// <summary>The report, or the problems that refused the table; and the entries a bad price held back, for the CLI's stderr.</summary>
    public sealed record Outcome(PriceImportResponse? Report, IReadOnlyList<DocumentProblem> Problems, IReadOnlyList<string> HeldBack);

    public static async Task<Outcome> ApplyAsync(JsonElement table, DateTimeOffset effectiveFrom, ModelPriceStore store, CancellationToken cancellationToken)
    {
        var parsed = PriceDocument.Parse(table, effectiveFrom);
        if (parsed.Problems.Count > 0)
        {
            return new Outcome(null, parsed.Problems, []);
        }

        var result = await store.ImportAsync(parsed.Prices, cancellationToken);
        return new Outcome(new PriceImportResponse([.. result.Imported.Select(LlmMapper.ToWire)], result.Unchanged, parsed.Skipped, parsed.SkippedByKind), [], parsed.HeldBack);
    }

    /// <summary>Reads the table from a stream, gunzipping it when it starts with gzip's magic bytes; at most <see cref="MaxBytes"/> either way.</summary>
    public static async Task<(JsonDocument? Table, Http.JsonBodyProblem? Problem)> ReadAsync(Stream body, bool gzip, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        await CopyCappedAsync(body, buffer, cancellationToken);
        buffer.Position = 0;
        if (gzip || IsGzip(buffer))
        {
            var raw = buffer;
            buffer = new MemoryStream();
            await using (var unzip = new GZipStream(raw, CompressionMode.Decompress))
            {
                await CopyCappedAsync(unzip, buffer, cancellationToken);
            }

            buffer.Position = 0;
        }

        // Decoded only here (a gzipped body passes the request's JSON check unread), so checked here as any body is.
        return Http.JsonBodyCheck.Problem(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is { } problem
            ? (null, problem)
            : (JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)), null);
    }

    private static bool IsGzip(MemoryStream buffer) =>
        buffer.Length >= 2 && buffer.GetBuffer() is var bytes && bytes[0] == 0x1f && bytes[1] == 0x8b;

    private static async Task CopyCappedAsync(Stream from, MemoryStream to, CancellationToken cancellationToken)
    {
        var chunk = new byte[81920];
        int read;
        while ((read = await from.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (to.Length + read > MaxBytes)
            {
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }

            await to.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }
    }
}
