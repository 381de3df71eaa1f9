using System.Text.Json;
using Tollgate.Core.Llm;

namespace Tollgate.Core.Tests.Llm;

public sealed class LlmCostTests
{
    private static readonly DateTimeOffset Jan = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ModelPrice Price(string model, decimal? input = null, decimal? output = null, decimal? cached = null, decimal? write = null,
        decimal? request = null, decimal? image = null, PriceTier? tier = null, DateTimeOffset? from = null, string? pattern = null) =>
        new("p_" + model, model, pattern, "test", from ?? Jan, Nano(input), Nano(output), Nano(cached), Nano(write), null, Nano(request), Nano(image), tier,
            null);

    private static long? Nano(decimal? usd) => usd is { } u ? (long)(u * 1_000_000_000m) : null;

    private static LlmUsage Tokens(long input = 0, long output = 0, long cached = 0, long write = 0, long reasoning = 0, long requests = 0, long images = 0) =>
        new(input, output, cached, write, reasoning, requests, images);

    [Fact]
    public void ThousandInputAndFiveHundredOutputTokensOfGpt4oCostSevenAndAHalfTenthsOfACent()
    {
        var cost = LlmCost.Compute(Price("gpt-4o", input: 2.50m, output: 10.00m, cached: 1.25m), Tokens(input: 1000, output: 500));

        Assert.Equal(7_500_000, cost); // nano-USD
        Assert.Equal(0.0075m, NanoUsdAmount.ToUsd(cost));
    }

    [Fact]
    public void CachedTokensArePricedAsCached()
    {
        var gpt4o = Price("gpt-4o", input: 2.50m, output: 10.00m, cached: 1.25m);

        // 600 uncached input, 400 read from the cache: 600 × 2.50 + 400 × 1.25 per million.
        Assert.Equal(2_000_000, LlmCost.Compute(gpt4o, Tokens(input: 600, cached: 400)));
    }

    [Fact]
    public void AnthropicCacheWritesAndReadsHaveTheirOwnPrices()
    {
        var sonnet = Price("claude-sonnet-4-5", input: 3m, output: 15m, cached: 0.30m, write: 3.75m);

        // 100 input, 2051 written, 2051 read, 503 output (the Messages API reference example).
        var cost = LlmCost.Compute(sonnet, Tokens(input: 100, write: 2051, cached: 2051, output: 503));

        Assert.Equal((100 * 3_000L) + (2051 * 3_750L) + (2051 * 300L) + (503 * 15_000L), cost);
    }

    [Fact]
    public void CacheWritesKeptForAnHourCostTheHourRateAndTheRestTheFiveMinuteRate()
    {
        // Anthropic's price list for Claude Sonnet 4.5: $3 input, $3.75 a five-minute write, $6 an hour's write per 1M.
        var sonnet = Price("claude-sonnet-4-5", input: 3m, output: 15m, cached: 0.30m, write: 3.75m) with { CacheWrite1hNano = 6_000_000_000 };

        // 1,000 tokens written, 400 of them for an hour (cache_creation.ephemeral_1h_input_tokens).
        var cost = LlmCost.Compute(sonnet, Tokens(input: 100, write: 1000) with { CacheWrite1hTokens = 400 });

        Assert.Equal((100 * 3_000L) + (600 * 3_750L) + (400 * 6_000L), cost);
    }

    [Fact]
    public void WithoutAnHourRateAnHoursCacheWriteCostsTheFiveMinuteWrite()
    {
        var sonnet = Price("claude-sonnet-4-5", input: 3m, write: 3.75m);

        Assert.Equal(1000 * 3_750L, LlmCost.Compute(sonnet, Tokens(write: 1000) with { CacheWrite1hTokens = 1000 }));
    }

    [Fact]
    public void ALongPromptsHourWritesTakeTheTiersHourRateAndNeverLessThanTheTiersWrite()
    {
        var tier = new PriceTier(200_000, 6_000_000_000, 22_500_000_000, 600_000_000, 7_500_000_000);
        var withHour = Price("claude-sonnet-4-5", input: 3m, write: 3.75m, tier: tier with { CacheWrite1hNano = 12_000_000_000 })
            with { CacheWrite1hNano = 6_000_000_000 };
        // LiteLLM's claude-sonnet-4-20250514 has an hour rate ($6) but none above 200k, where the five-minute write is $7.50.
        var withoutTierHour = withHour with { Tier = tier };
        var longPrompt = Tokens(input: 200_000, write: 1000) with { CacheWrite1hTokens = 1000 };

        Assert.Equal((200_000 * 6_000L) + (1000 * 12_000L), LlmCost.Compute(withHour, longPrompt));
        Assert.Equal((200_000 * 6_000L) + (1000 * 7_500L), LlmCost.Compute(withoutTierHour, longPrompt));
        Assert.Equal(1000 * 6_000L, LlmCost.Compute(withHour, Tokens(write: 1000) with { CacheWrite1hTokens = 1000 }));
    }

    [Fact]
    public void MissingCachePriceBillsCachedTokensAsInputAndReasoningAsOutput()
    {
        var turbo = Price("gpt-4-turbo", input: 10m, output: 30m);

        Assert.Equal((500 * 10_000L) + (200 * 30_000L), LlmCost.Compute(turbo, Tokens(cached: 500, reasoning: 200)));
    }

    [Fact]
    public void PromptsAboveTheTierThresholdUseTheHigherRatesForTheWholeCall()
    {
        var pro = Price("gemini-2.5-pro", input: 1.25m, output: 10m, tier: new PriceTier(200_000, 2_500_000_000, 15_000_000_000, null, null));

        Assert.Equal((200_000 * 1_250L) + (1000 * 10_000L), LlmCost.Compute(pro, Tokens(input: 200_000, output: 1000)));
        Assert.Equal((200_001 * 2_500L) + (1000 * 15_000L), LlmCost.Compute(pro, Tokens(input: 200_001, output: 1000)));
    }

    [Fact]
    public void SearchAndImagePricesArePerUnit()
    {
        Assert.Equal(16_000_000, LlmCost.Compute(Price("tavily", request: 0.008m), Tokens(requests: 2)));
        Assert.Equal(120_000_000, LlmCost.Compute(Price("dall-e-3", image: 0.04m), Tokens(images: 3)));
    }

    [Fact]
    public void RoundsOnceAtTheEndHalfUp()
    {
        // 7 tokens at $0.0375 per million is 262.5 nano-USD: rounded once, to 263.
        Assert.Equal(263, LlmCost.Compute(Price("batch", input: 0.0375m), Tokens(input: 7)));
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("openai/gpt-4o", "gpt-4o")]
    [InlineData("GPT-4o", "gpt-4o")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("tavily-advanced", "tavily")]
    public void ModelNamesFindTheirPriceByExactNameThenWithoutVersionThenPattern(string called, string priced)
    {
        var book = new PriceBook([Price("gpt-4o"), Price("gpt-4o-mini"), Price("claude-sonnet-4-5"), Price("tavily", pattern: "tavily*")]);

        Assert.Equal(priced, book.Find(called, Jan)!.Model);
    }

    [Fact]
    public void TheMostSpecificPatternWinsEvenWhenABroaderOneIsNewer()
    {
        var book = new PriceBook([Price("tavily-extract", pattern: "tavily-extract*"), Price("tavily", pattern: "tavily*", from: Jan.AddDays(10))]);

        Assert.Equal("tavily-extract", book.Find("tavily-extract-v2", Jan.AddDays(20))!.Model);
        Assert.Equal("tavily", book.Find("tavily-search", Jan.AddDays(20))!.Model);
    }

    [Fact]
    public void APrefixIsNotAMatch()
    {
        var book = new PriceBook([Price("gpt-4o")]);

        Assert.Null(book.Find("gpt-4o-mini", Jan));
        Assert.Null(book.Find("gpt-4", Jan));
    }

    [Fact]
    public void ACallIsPricedAtThePriceInEffectAtItsOwnTime()
    {
        var book = new PriceBook([Price("exa", request: 0.003m, from: Jan), Price("exa", request: 0.007m, from: Jan.AddMonths(2))]);

        Assert.Equal(3_000_000, book.Find("exa", Jan.AddMonths(1))!.RequestNano);
        Assert.Equal(7_000_000, book.Find("exa", Jan.AddMonths(3))!.RequestNano);
        Assert.Null(book.Find("exa", Jan.AddDays(-1)));
    }

    [Fact]
    public void LiteLlmEntriesAreReadExactlyFromPerTokenFloats()
    {
        var json = """
            {
              "sample_spec": { "input_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers" },
              "gpt-4o": { "cache_read_input_token_cost": 1.25e-06, "input_cost_per_token": 2.5e-06, "litellm_provider": "openai",
                "mode": "chat", "output_cost_per_token": 1e-05 },
              "gemini/gemini-2.5-pro": { "cache_read_input_token_cost": 1.25e-07, "cache_read_input_token_cost_above_200k_tokens": 2.5e-07,
                "input_cost_per_token": 1.25e-06, "input_cost_per_token_above_200k_tokens": 2.5e-06, "litellm_provider": "gemini",
                "output_cost_per_token": 1e-05, "output_cost_per_token_above_200k_tokens": 1.5e-05 },
              "1024-x-1024/50-steps/stability.stable-diffusion-xl-v1": { "litellm_provider": "bedrock", "mode": "image_generation",
                "output_cost_per_image": 0.04 },
              "google_pse/search": { "input_cost_per_query": 0.005, "litellm_provider": "google_pse", "mode": "search" },
              "text-embedding-nothing": { "litellm_provider": "openai", "mode": "embedding" }
            }
            """;

        var result = PriceDocument.Parse(JsonDocument.Parse(json).RootElement, Jan);
        var byModel = result.Prices.ToDictionary(p => p.Model);

        Assert.Equal((2_500_000_000L, 10_000_000_000L, 1_250_000_000L), (byModel["gpt-4o"].InputNano!.Value, byModel["gpt-4o"].OutputNano!.Value,
            byModel["gpt-4o"].CachedInputNano!.Value));
        // Keys keep their prefix: gemini/gemini-2.5-pro prices Gemini API calls, not every gemini-2.5-pro call.
        Assert.Equal(new PriceTier(200_000, 2_500_000_000, 15_000_000_000, 250_000_000, null), byModel["gemini/gemini-2.5-pro"].Tier);
        Assert.Equal("gemini", byModel["gemini/gemini-2.5-pro"].Provider);
        Assert.Equal(40_000_000, byModel["1024-x-1024/50-steps/stability.stable-diffusion-xl-v1"].ImageNano);
        Assert.Equal(5_000_000, byModel["google_pse/search"].RequestNano);
        Assert.Contains(result.Skipped, s => s.StartsWith("text-embedding-nothing", StringComparison.Ordinal));
        Assert.DoesNotContain("sample_spec", byModel.Keys);
    }

    [Fact]
    public void ALiteLlmEntryWithAPriceThatIsNotANonNegativeNumberIsSkippedNamingTheFieldWhileTheOthersImport()
    {
        var json = """
            {
              "neg": { "input_cost_per_token": -1, "output_cost_per_token": 1e-06 },
              "huge": { "input_cost_per_token": 1e309, "output_cost_per_token": 1e-06 },
              "text": { "input_cost_per_token": "x", "output_cost_per_token": 1e-06 },
              "tiered": { "input_cost_per_token": 1e-06, "input_cost_per_token_above_200k_tokens": -2e-06 },
              "none": { "input_cost_per_token": null, "output_cost_per_token": 1e-06 },
              "fine": { "input_cost_per_token": 1e-06 }
            }
            """;

        var result = PriceDocument.Parse(JsonDocument.Parse(json).RootElement, Jan);

        // Skipped whole, never imported with the bad price read as absent (which would make "neg" a free model).
        Assert.Empty(result.Problems);
        Assert.Equal(["none", "fine"], result.Prices.Select(p => p.Model));
        Assert.Equal([
            "neg: input_cost_per_token: must not be negative; not imported, so the model keeps any earlier price (or stays unpriced)",
            "huge: input_cost_per_token: is out of range; not imported, so the model keeps any earlier price (or stays unpriced)",
            "text: input_cost_per_token: must be a number; not imported, so the model keeps any earlier price (or stays unpriced)",
            "tiered: input_cost_per_token_above_200k_tokens: must not be negative; not imported, so the model keeps any earlier price (or stays unpriced)"],
            result.Skipped);
        Assert.Equal(4, result.SkippedByKind["bad_price"]);
    }

    [Fact]
    public void ALiteLlmEntryThatIsNotAnObjectIsReportedAsSkipped()
    {
        var json = """{ "sample_spec": "anything", "odd": "not an object", "fine": { "input_cost_per_token": 1e-06 } }""";

        var result = PriceDocument.Parse(JsonDocument.Parse(json).RootElement, Jan);

        Assert.Equal("fine", Assert.Single(result.Prices).Model);
        Assert.Equal(["odd: an entry must be an object"], result.Skipped);
        Assert.Equal(1, result.SkippedByKind["not_an_object"]);
    }

    [Fact]
    public void TollgateShapeNamesEachBadFieldByItsPath()
    {
        // e and f were rounded by the JSON reader to 0 and 2.5 and kept (a fuzz trial); g named a local time, no instant.
        var json = """
            {"prices": [{"model": "a", "input": -1}, {"model": "b", "input": 0.0000000001}, {"provider": "x", "input": 1}, {"model": "d"},
              {"model": "e", "input": 1e-30}, {"model": "f", "input": 2.50000000000000000000000000001},
              {"model": "g", "input": 1, "effective_from": "2026-12-01T00:00:00"}]}
            """;

        var problems = PriceDocument.Parse(JsonDocument.Parse(json).RootElement, Jan).Problems.Select(p => p.ToString()).ToList();

        Assert.Contains("prices[0].input: must be between 0 and 1000000", problems);
        Assert.Contains("prices[1].input: must have at most 9 decimal places", problems);
        Assert.Contains("prices[2].model: is required", problems);
        Assert.Contains(problems, p => p.StartsWith("prices[3]: needs at least one price", StringComparison.Ordinal));
        Assert.Contains("prices[4].input: must be a number of at most 28 significant digits, exactly as written", problems);
        Assert.Contains("prices[5].input: must be a number of at most 28 significant digits, exactly as written", problems);
        Assert.Contains("prices[6].effective_from: must be an ISO 8601 instant with Z or an offset, such as 2026-01-01T00:00:00Z", problems);
    }
}
