using System.Globalization;
using System.Text.Json;
using Tollgate.Core.Json;

namespace Tollgate.Core.Llm;

/// <summary>A parsed table: its rows, or its problems; and what a LiteLLM map left out, each with its reason and counted by kind.</summary>
public sealed record PriceDocumentResult(IReadOnlyList<ModelPrice> Prices, IReadOnlyList<DocumentProblem> Problems, IReadOnlyList<string> Skipped)
{
    public IReadOnlyDictionary<string, int> SkippedByKind { get; init; } = new Dictionary<string, int>();

    /// <summary>The skipped entries whose model's update a bad price held back (kind bad_price), each with its reason.</summary>
    public IReadOnlyList<string> HeldBack { get; init; } = [];
}

/// <summary>
/// Reads price tables: Tollgate's own shape ({"prices": [{model, provider, input, output, …}]}, USD per million
/// tokens) or LiteLLM's model_prices_and_context_window.json (USD per token, keyed by model). Numbers are read as
/// decimals from their JSON text, never through double.
/// </summary>
public static class PriceDocument
{
    private const decimal MaxUsd = 1_000_000m;
    private static readonly string[] PriceFields =
        ["model", "pattern", "provider", "effective_from", "input", "output", "cached_input", "cache_write", "cache_write_1h", "reasoning", "request", "image", "tier",
         "source"];

    public static PriceDocumentResult Parse(JsonElement root, DateTimeOffset defaultEffectiveFrom)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("prices", out _))
        {
            return ParseOwn(root, defaultEffectiveFrom);
        }

        return root.ValueKind == JsonValueKind.Object
            ? LiteLlmPriceDocument.Parse(root, defaultEffectiveFrom)
            : new PriceDocumentResult([], [new DocumentProblem("$", "must be an object: {\"prices\": [...]} or a LiteLLM price map")], []);
    }

    /// <summary>One price in Tollgate's shape; problems are named under <paramref name="path"/>.</summary>
    public static ModelPrice? ParseOne(JsonElement element, string path, DateTimeOffset defaultEffectiveFrom, List<DocumentProblem> problems)
    {
        var r = new ElementReader(element, path, problems, PriceFields);
        var model = r.String("model", required: true, 200);
        var pattern = r.String("pattern", required: false, 200);
        if (pattern is { Length: 0 })
        {
            r.Problem(r.Child("pattern"), "must not be empty: leave it out to match the model name alone");
        }
        else if (pattern is not null && ModelPattern.Stars(pattern) > ModelPattern.MaxStars)
        {
            r.Problem(r.Child("pattern"), $"must have at most {ModelPattern.MaxStars} runs of '*' ('**' is one)");
        }

        var provider = r.String("provider", required: false, 64) ?? "unknown";
        var source = r.String("source", required: false, 1000);
        var effective = defaultEffectiveFrom;
        if (r.String("effective_from", required: false, 64) is { } text)
        {
            // Z or an offset, as every instant the API takes: a local time named no instant.
            if (!UtcInstantConverter.TryParse(text, out effective))
            {
                r.Problem(r.Child("effective_from"), "must be an ISO 8601 instant with Z or an offset, such as 2026-01-01T00:00:00Z");
            }
        }

        long? Price(ElementReader reader, string name) => Catalog.CatalogDocument.NanoUsd(reader, name, MaxUsd);

        var input = Price(r, "input");
        var output = Price(r, "output");
        var cached = Price(r, "cached_input");
        var write = Price(r, "cache_write");
        var hourWrite = Price(r, "cache_write_1h");
        var reasoning = Price(r, "reasoning");
        var request = Price(r, "request");
        var image = Price(r, "image");
        PriceTier? tier = null;
        if (r.Raw("tier") is { ValueKind: JsonValueKind.Object } tierElement)
        {
            var t = new ElementReader(tierElement, r.Child("tier"), problems, "above_input_tokens", "input", "output", "cached_input", "cache_write",
                "cache_write_1h");
            var threshold = t.Integer("above_input_tokens", required: true, 1, 100_000_000);
            var (tierInput, tierOutput, tierCached, tierWrite, tierHourWrite) =
                (Price(t, "input"), Price(t, "output"), Price(t, "cached_input"), Price(t, "cache_write"), Price(t, "cache_write_1h"));
            if (threshold is not null && tierInput is null && tierOutput is null && tierCached is null && tierWrite is null && tierHourWrite is null)
            {
                r.Problem(r.Child("tier"), "needs at least one price: input, output, cached_input, cache_write or cache_write_1h");
            }

            tier = threshold is { } n ? new PriceTier(n, tierInput, tierOutput, tierCached, tierWrite, tierHourWrite) : null;
        }
        else if (r.Raw("tier") is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            // A number or a string here was dropped without a word, and the row saved without its tier.
            r.Problem(r.Child("tier"), "must be an object: {above_input_tokens, input, output, cached_input, cache_write, cache_write_1h}");
        }

        if (new[] { input, output, cached, write, hourWrite, reasoning, request, image }.All(p => p is null))
        {
            r.Problem(path, "needs at least one price: input, output, cached_input, cache_write, cache_write_1h, reasoning, request or image");
        }

        return model is null ? null : new ModelPrice("", PriceBook.RowName(model), pattern?.ToLowerInvariant(), provider, effective.ToUniversalTime(),
            input, output, cached, write, reasoning, request, image, tier, source, hourWrite);
    }

    private static PriceDocumentResult ParseOwn(JsonElement root, DateTimeOffset defaultEffectiveFrom)
    {
        var problems = new List<DocumentProblem>();
        var reader = new ElementReader(root, "", problems, "prices", "note");
        var prices = new List<ModelPrice>();
        foreach (var (element, path) in reader.Array("prices", required: true, maxItems: 10_000))
        {
            if (ParseOne(element, path, defaultEffectiveFrom, problems) is { } price)
            {
                prices.Add(price);
            }
        }

        return new PriceDocumentResult(problems.Count > 0 ? [] : prices, problems, []);
    }

    /// <summary>What keeps a JSON value from being a price read exactly from its text (2.5e-06 included), or null when nothing does.</summary>
    internal static string? NumberProblem(JsonElement value) =>
        value.ValueKind != JsonValueKind.Number ? "must be a number"
        : !decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? "is out of range"
        : number < 0 ? "must not be negative"
        : null;
}
