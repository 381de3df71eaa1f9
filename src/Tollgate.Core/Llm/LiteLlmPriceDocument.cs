using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tollgate.Core.Json;
using Tollgate.Core.Money;

namespace Tollgate.Core.Llm;

/// <summary>
/// Reads LiteLLM's model_prices_and_context_window.json (USD per token, keyed by model). Each key is its own row, its
/// provider prefix kept, so azure/gpt-4o never prices a bare gpt-4o call. What cannot be imported is counted by kind. An
/// entry with a price that is there but not a usable number is skipped whole (never read as absent, which would price
/// the model at $0), so the model keeps the price it had: the table is a third party's, refreshed on a schedule, and one
/// bad upstream entry refused every other model's update until upstream mended it. Tollgate's own shape, written by
/// the operator, still refuses the whole table.
/// </summary>
public static partial class LiteLlmPriceDocument
{
    /// <summary>Above $1,000 per 1M tokens a LiteLLM row is a data error, such as one at $0.015 per token (o1-pro is $600).</summary>
    public const decimal MaxUsdPerToken = 0.001m;

    /// <summary>Above $10 a request or an image, likewise.</summary>
    public const decimal MaxUsdPerUnit = 10m;

    /// <summary>How a skipped entry with a bad price ends: its model's update was held back, not its price dropped.</summary>
    private const string HeldBackNote = "not imported, so the model keeps any earlier price (or stays unpriced)";

    private const string BadPrice = "bad_price";

    private static readonly string[] TierFields =
        ["input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost", "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr"];

    // Units Tollgate does not bill in, by the kind the report counts them under; the first match names the kind.
    private static readonly (string Marker, string Kind)[] OtherUnits =
        [("_per_second", "per_second"), ("_per_character", "per_character"), ("_per_image", "per_image"), ("_per_pixel", "per_image"),
         ("_per_page", "per_page")];

    public static PriceDocumentResult Parse(JsonElement root, DateTimeOffset effectiveFrom)
    {
        var prices = new List<ModelPrice>();
        var skipped = new List<string>();
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var heldBack = new List<string>();
        void Skip(string kind, string reason)
        {
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            skipped.Add(reason);
            if (kind == BadPrice)
            {
                heldBack.Add(reason);
            }
        }

        foreach (var entry in root.EnumerateObject())
        {
            if (entry.Name == "sample_spec")
            {
                continue;
            }

            if (entry.Value.ValueKind != JsonValueKind.Object)
            {
                Skip("not_an_object", $"{entry.Name}: an entry must be an object");
                continue;
            }

            var model = PriceBook.RowName(entry.Name);
            if (model.Length is 0 or > 200)
            {
                Skip("bad_name", $"{entry.Name}: a model name must be 1 to 200 characters");
            }
            else if (!seen.Add(model))
            {
                Skip("duplicate", $"{entry.Name}: '{model}' was already read from an earlier entry");
            }
            else if (Read(entry, effectiveFrom, model, out var why) is { } price)
            {
                prices.Add(price);
            }
            else
            {
                Skip(why.Kind, $"{entry.Name}: {why.Reason}");
            }
        }

        return new PriceDocumentResult(prices, [], skipped) { SkippedByKind = kinds, HeldBack = heldBack };
    }

    private static ModelPrice? Read(JsonProperty entry, DateTimeOffset effectiveFrom, string model, out (string Kind, string Reason) why)
    {
        var e = entry.Value;
        var tooHigh = new List<string>();
        var problems = new List<DocumentProblem>();
        var read = new Reading(entry.Name, tooHigh, problems);
        long? PerToken(string name) => Convert(e, name, MaxUsdPerToken, 1_000_000_000_000_000m, "per 1M tokens", 1_000_000m, read);
        long? PerUnit(string name) => Convert(e, name, MaxUsdPerUnit, 1_000_000_000m, "per unit", 1m, read);
        var input = PerToken("input_cost_per_token");
        var output = PerToken("output_cost_per_token");
        var request = PerUnit("input_cost_per_query") ?? PerUnit("input_cost_per_request");
        var image = PerUnit("output_cost_per_image");
        var thresholds = e.EnumerateObject().Select(p => TierKey().Match(p.Name)).Where(m => m.Success && TierFields.Contains(m.Groups[1].Value))
            .Select(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        PriceTier? tier = null;
        if (thresholds.Count == 1)
        {
            var k = thresholds[0] + "k";
            tier = new PriceTier(thresholds[0] * 1000, PerToken($"input_cost_per_token_above_{k}_tokens"), PerToken($"output_cost_per_token_above_{k}_tokens"),
                PerToken($"cache_read_input_token_cost_above_{k}_tokens"), PerToken($"cache_creation_input_token_cost_above_{k}_tokens"),
                PerToken($"cache_creation_input_token_cost_above_1hr_above_{k}_tokens"));
        }

        var cached = PerToken("cache_read_input_token_cost");
        var write = PerToken("cache_creation_input_token_cost");
        var hourWrite = PerToken("cache_creation_input_token_cost_above_1hr");
        var reasoning = PerToken("output_cost_per_reasoning_token");
        why = default;
        if (problems.Count > 0)
        {
            why = (BadPrice, $"{string.Join("; ", problems.Select(p => p.ToString()[(entry.Name.Length + 1)..]))}; {HeldBackNote}");
            return null;
        }

        if (tooHigh.Count > 0)
        {
            why = ("above_sanity_bound", $"{string.Join("; ", tooHigh)}: above the sanity bound of ${MaxUsdPerToken * 1_000_000m:0} per 1M tokens "
                + $"or ${MaxUsdPerUnit:0} per unit, not imported");
            return null;
        }

        if (input is null && output is null && request is null && image is null)
        {
            var unit = OtherUnits.FirstOrDefault(u => e.EnumerateObject().Any(p => p.Name.Contains(u.Marker, StringComparison.Ordinal)
                && p.Value.ValueKind == JsonValueKind.Number));
            why = unit.Kind is { } kind
                ? (kind, $"priced {kind.Replace('_', ' ')}, which Tollgate does not bill")
                : ("no_price", "no token, request or image price");
            return null;
        }

        if (thresholds.Count > 1)
        {
            why = ("several_tiers", $"tiers at {string.Join(", ", thresholds.Select(t => t + "k"))} tokens; a row has one tier");
            return null;
        }

        var provider = e.TryGetProperty("litellm_provider", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "unknown";
        return new ModelPrice("", model, null, provider.Length <= 64 ? provider : provider[..64], effectiveFrom, input, output, cached, write, reasoning,
            request, image, tier, $"LiteLLM model_prices_and_context_window.json: {entry.Name}", hourWrite);
    }

    /// <summary>Where one entry's prices are read from, and where what is wrong with them goes.</summary>
    private sealed record Reading(string Entry, List<string> TooHigh, List<DocumentProblem> Problems);

    /// <summary>
    /// USD from the JSON text to nano-USD (× <paramref name="scale"/>, rounded half-up once); absent or null is no price, above
    /// <paramref name="max"/> is noted as too high, and anything else that is not a non-negative decimal is a problem.
    /// </summary>
    private static long? Convert(JsonElement entry, string name, decimal max, decimal scale, string unit, decimal shown, Reading read)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (PriceDocument.NumberProblem(value) is { } problem)
        {
            read.Problems.Add(new DocumentProblem($"{read.Entry}.{name}", problem));
            return null;
        }

        var usd = decimal.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (usd > max)
        {
            read.TooHigh.Add($"{name} ${usd * shown:0.######} {unit}");
            return null;
        }

        return Rounding.DivideHalfUp((Int128)(usd * scale * 1000m), 1000);
    }

    [GeneratedRegex(@"^(.+)_above_(\d{1,6})k_tokens$")]
    private static partial Regex TierKey();
}
