using System.Text.Json;
using Tollgate.Core;
using Tollgate.Core.Json;
using Tollgate.Core.Llm;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Llm;

/// <summary>Reads a logged call field by field, so a bad one names its field and, in a batch, rejects only itself.</summary>
public static class LlmCallParser
{
    public const long MaxTokens = 10_000_000_000;

    // One options instance: building one per call (up to 1,000 a batch) rebuilt the serializer's metadata each time.
    private static readonly JsonSerializerOptions Json = JsonConfig.Create();
    private static readonly string[] Fields =
    [
        "customer", "feature", "model", "provider", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens",
        "reasoning_tokens", "requests", "images", "request_id", "timestamp", "metadata", "reservation_id",
    ];

    public static (LlmCallCommand? Call, IReadOnlyList<DocumentProblem> Problems) Parse(
        int index, JsonElement element, string path, CatalogSnapshot catalog, DateTimeOffset now, TimeProvider time)
    {
        var problems = new List<DocumentProblem>();
        var r = new ElementReader(element, path, problems, Fields);
        var customer = r.String("customer", required: true, 255);
        var model = r.String("model", required: true, 200);
        var feature = r.String("feature", required: false, 64);
        var provider = r.String("provider", required: false, 64);
        long Count(string name, long max = MaxTokens) => r.Integer(name, required: false, 0, max) ?? 0;
        var usage = new LlmUsage(Count("input_tokens"), Count("output_tokens"), Count("cached_input_tokens"), Count("cache_write_tokens"),
            Count("reasoning_tokens"), Count("requests", 1_000_000_000), Count("images", 1_000_000_000), Count("cache_write_1h_tokens"));
        if (usage.CacheWrite1hTokens > usage.CacheWriteTokens)
        {
            // Anthropic's hour writes are a part of its cache_creation_input_tokens, so the part cannot be the larger.
            r.Problem(r.Child("cache_write_1h_tokens"), $"must be at most cache_write_tokens ({usage.CacheWriteTokens}): it counts the part of them written for an hour");
        }

        var requestId = r.String("request_id", required: false, 255);
        var reservation = r.String("reservation_id", required: false, 64);
        var timestamp = now;
        if (r.String("timestamp", required: false, 64) is { } text)
        {
            try
            {
                timestamp = JsonSerializer.Deserialize<DateTimeOffset>(JsonSerializer.Serialize(text), Json);
            }
            catch (JsonException)
            {
                r.Problem(r.Child("timestamp"), "must be an ISO 8601 instant with Z or an offset, such as 2026-03-10T12:00:00Z");
            }
        }

        if (timestamp > now.AddMinutes(5))
        {
            r.Problem(r.Child("timestamp"), "is in the future");
        }

        var metadata = r.Raw("metadata");
        if (metadata is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) } || metadata?.GetRawText().Length > 8192)
        {
            r.Problem(r.Child("metadata"), "must be an object of at most 8 KiB");
        }

        if (customer is not null && Validate.Id(customer) is { } bad)
        {
            r.Problem(r.Child("customer"), bad);
        }

        if (feature is not null && catalog.Feature(feature) is null)
        {
            r.Problem(r.Child("feature"), $"no feature '{feature}' in the catalog");
        }

        if (requestId is not null && Validate.IdempotencyKey(requestId) is { } badId)
        {
            r.Problem(r.Child("request_id"), badId);
        }

        if (customer is null || model is null || problems.Count > 0)
        {
            return (null, problems);
        }

        return (new LlmCallCommand(index, customer, feature, model, provider, usage, requestId ?? Ids.New("llmc", time), timestamp,
            metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null, reservation), []);
    }
}
