using System.Text.Json;
using Tollgate.Core.Llm;

namespace Tollgate.Core.Tests.Llm;

/// <summary>Which row prices a call when a model has a bare row and provider-prefixed ones, and how LiteLLM tiers are read.</summary>
public sealed class ProviderPricesTests
{
    private static readonly DateTimeOffset Jan = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ModelPrice Row(string model, string provider, long input) =>
        new("p_" + model, model, null, provider, Jan, input, null, null, null, null, null, null, null, null);

    private static readonly PriceBook Book = new([
        Row("azure/gpt-4o", "azure", 1), Row("azure/eu/gpt-4o", "azure", 2), Row("gpt-4o", "openai", 3),
        Row("gemini-2.5-flash", "vertex_ai-language-models", 4), Row("gemini/gemini-2.5-flash", "gemini", 5),
        Row("vertex_ai/gemini-2.5-flash", "vertex_ai-language-models", 6), Row("openrouter/openai/gpt-4o", "openrouter", 7),
    ]);

    [Theory]
    [InlineData("gpt-4o", null, 3)]
    [InlineData("gpt-4o-2024-08-06", null, 3)]
    [InlineData("GPT-4o", "openai", 3)]
    [InlineData("azure/gpt-4o", null, 1)]
    [InlineData("azure/eu/gpt-4o", null, 2)]
    [InlineData("azure/eu/gpt-4o-2024-08-06", null, 2)]
    [InlineData("gpt-4o", "azure", 1)]
    [InlineData("gpt-4o", "azure_openai", 1)]
    [InlineData("gpt-4o-2024-08-06", "Azure-OpenAI", 1)]
    [InlineData("gpt-4o", "openrouter", 7)]
    [InlineData("openai/gpt-4o", "openrouter", 7)]
    [InlineData("openai/gpt-4o", null, 3)]
    [InlineData("gpt-4o", "groq", 3)]
    [InlineData("gemini-2.5-flash", null, 4)]
    [InlineData("gemini-2.5-flash", "google", 5)]
    [InlineData("gemini-2.5-flash", "vertex_ai", 4)]
    [InlineData("gemini-2.5-flash", "openai", 4)]
    public void BareRowsPriceBareNamesAndPrefixedRowsOnlyTheirProvidersCalls(string model, string? provider, long input) =>
        Assert.Equal(input, Book.Find(model, provider, Jan)!.InputNano);

    [Theory]
    [InlineData("vertex_ai-language-models", "vertex_ai")]
    [InlineData("vertex_ai-anthropic_models", "vertex_ai")]
    [InlineData("bedrock_converse", "bedrock")]
    [InlineData("text-completion-openai", "openai")]
    [InlineData("azure_text", "azure")]
    [InlineData("Azure-OpenAI", "azure")]
    [InlineData("x-ai", "xai")]
    [InlineData("fireworks_ai-embedding-models", "fireworks_ai")]
    public void LiteLlmProviderValuesAndCallProvidersMeetInOneFamily(string provider, string family) =>
        Assert.Equal(family, LlmProviders.Family(provider));

    [Fact]
    public void AnyTierThresholdIsReadAndAnEntryWithTwoIsReportedNotGuessed()
    {
        using var document = JsonDocument.Parse("""
            { "future-model": { "input_cost_per_token": 1e-06, "input_cost_per_token_above_512k_tokens": 2e-06,
                                "cache_read_input_token_cost_above_512k_tokens": 4e-07, "input_cost_per_token_above_512k_tokens_priority": 9e-06,
                                "cache_creation_input_token_cost_above_1hr": 5e-06, "litellm_provider": "openai" },
              "two-tier-model": { "input_cost_per_token": 1e-06, "input_cost_per_token_above_128k_tokens": 2e-06,
                                  "input_cost_per_token_above_256k_tokens": 3e-06 } }
            """);

        var parsed = PriceDocument.Parse(document.RootElement, Jan);

        var tier = Assert.Single(parsed.Prices).Tier;
        Assert.Equal(new PriceTier(512_000, 2_000_000_000, null, 400_000_000, null), tier);
        Assert.Equal(1, parsed.SkippedByKind["several_tiers"]);
        Assert.StartsWith("two-tier-model: tiers at 128k, 256k tokens", Assert.Single(parsed.Skipped), StringComparison.Ordinal);
    }

    [Fact]
    public void LiteLlmsHourCacheWriteRatesAreReadForTheModelAndItsTier()
    {
        // claude-sonnet-4-5 as LiteLLM's table has it.
        using var document = JsonDocument.Parse("""
            { "claude-sonnet-4-5": { "input_cost_per_token": 3e-06, "cache_creation_input_token_cost": 3.75e-06,
                  "cache_creation_input_token_cost_above_1hr": 6e-06, "cache_creation_input_token_cost_above_1hr_above_200k_tokens": 1.2e-05,
                  "input_cost_per_token_above_200k_tokens": 6e-06, "cache_creation_input_token_cost_above_200k_tokens": 7.5e-06,
                  "litellm_provider": "anthropic" } }
            """);

        var price = Assert.Single(PriceDocument.Parse(document.RootElement, Jan).Prices);

        Assert.Equal(6_000_000_000, price.CacheWrite1hNano);
        Assert.Equal(new PriceTier(200_000, 6_000_000_000, null, null, 7_500_000_000, 12_000_000_000), price.Tier);
    }

    [Fact]
    public void TollgatesOwnTableTakesAnHourCacheWriteRateAndATierMayHaveOnlyThat()
    {
        using var document = JsonDocument.Parse("""
            { "prices": [ { "model": "claude-opus-4-1", "provider": "anthropic", "input": 15, "cache_write": 18.75, "cache_write_1h": 30,
                            "tier": { "above_input_tokens": 200000, "cache_write_1h": 60 } } ] }
            """);

        var parsed = PriceDocument.Parse(document.RootElement, Jan);

        Assert.Empty(parsed.Problems);
        var price = Assert.Single(parsed.Prices);
        Assert.Equal(30_000_000_000, price.CacheWrite1hNano);
        Assert.Equal(60_000_000_000, price.Tier!.CacheWrite1hNano);
    }

    [Fact]
    public void ATablePriceAboveTheSanityBoundIsReportedNotImported()
    {
        using var document = JsonDocument.Parse("""
            { "wandb/openai/gpt-oss-120b": { "input_cost_per_token": 0.015, "output_cost_per_token": 0.06, "litellm_provider": "wandb" },
              "o1-pro": { "input_cost_per_token": 0.00015, "output_cost_per_token": 0.0006, "litellm_provider": "openai" },
              "search/pricey": { "input_cost_per_query": 25 } }
            """);

        var parsed = PriceDocument.Parse(document.RootElement, Jan);

        Assert.Equal("o1-pro", Assert.Single(parsed.Prices).Model);
        Assert.Equal(2, parsed.SkippedByKind["above_sanity_bound"]);
    }
}
