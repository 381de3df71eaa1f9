using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Client.Tests;

/// <summary>
/// Recorded shapes of the OpenAI-compatible providers the capture handler claims: Azure OpenAI, OpenRouter and Gemini's
/// OpenAI endpoint, each whole and streamed, on their own URL shapes. Stream entries are whole SSE lines.
/// </summary>
internal sealed partial class FakeModelProvider
{
    public const string AzureRoute = "openai/deployments/cv-writer/chat/completions?api-version=2024-10-21";
    public const string OpenRouterRoute = "api/v1/chat/completions";
    public const string GeminiRoute = "v1beta/openai/chat/completions";

    /// <summary>Azure: filter results on the prompt and each choice; usage as OpenAI's, cached tokens included in prompt_tokens.</summary>
    public const string AzureJson = """
        {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},
          "protected_material_code":{"filtered":false,"detected":false},"protected_material_text":{"filtered":false,"detected":false},
          "self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},
          "violence":{"filtered":false,"severity":"safe"}},"finish_reason":"stop","index":0,"logprobs":null,
          "message":{"annotations":[],"content":"Dear hiring manager,","refusal":null,"role":"assistant"}}],
         "created":1773144000,"id":"chatcmpl-BAz1azure","model":"gpt-4o-2024-08-06","object":"chat.completion",
         "prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},
          "jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},
          "sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}],
         "system_fingerprint":"fp_ee1d74bde0",
         "usage":{"completion_tokens":400,"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,
          "reasoning_tokens":0,"rejected_prediction_tokens":0},"prompt_tokens":3000,
          "prompt_tokens_details":{"audio_tokens":0,"cached_tokens":1024},"total_tokens":3400}}
        """;

    /// <summary>
    /// Azure streamed with stream_options.include_usage: first a prompt-annotation frame with empty choices, id and model,
    /// then the content, the usage chunk, and an Asynchronous Filter annotation frame (empty id and model again) that
    /// trails the content it vets.
    /// </summary>
    public static readonly string[] AzureStream =
    [
        """data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}""",
        """data: {"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1773144060,"id":"chatcmpl-BAz2stream","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}""",
        """data: {"choices":[{"content_filter_results":{},"delta":{"content":"Dear hiring manager,"},"finish_reason":null,"index":0,"logprobs":null}],"created":1773144060,"id":"chatcmpl-BAz2stream","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}""",
        """data: {"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],"created":1773144060,"id":"chatcmpl-BAz2stream","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}""",
        """data: {"choices":[],"created":1773144060,"id":"chatcmpl-BAz2stream","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":{"completion_tokens":250,"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,"reasoning_tokens":0,"rejected_prediction_tokens":0},"prompt_tokens":1500,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":0},"total_tokens":1750}}""",
        """data: {"choices":[{"content_filter_offsets":{"check_offset":0,"start_offset":0,"end_offset":20},"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":null,"index":0}],"created":0,"id":"","model":"","object":""}""",
        "data: [DONE]",
    ];

    /// <summary>OpenRouter: a gen- id, the model with its vendor prefix, the upstream provider, and usage with its own cost.</summary>
    public const string OpenRouterJson = """
        {"id":"gen-1773144000-Qm3kXb7T2pN9vR4sL8wZ","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion",
         "created":1773144000,
         "choices":[{"logprobs":null,"finish_reason":"stop","native_finish_reason":"stop","index":0,
          "message":{"role":"assistant","content":"Tell me about a project you led.","refusal":null,"reasoning":null}}],
         "system_fingerprint":"fp_cbf1785567",
         "usage":{"prompt_tokens":2200,"completion_tokens":300,"total_tokens":2500,"cost":0.0069,"is_byok":false,
          "prompt_tokens_details":{"cached_tokens":1280,"audio_tokens":0},
          "cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":0.0039,
           "upstream_inference_completions_cost":0.003},
          "completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0}}}
        """;

    /// <summary>
    /// OpenRouter streamed to an Anthropic model: keep-alive comments first, usage in the last data message (always sent, no
    /// stream_options needed), with the prompt cache's reads and writes both counted inside prompt_tokens.
    /// </summary>
    public static readonly string[] OpenRouterStream =
    [
        ": OPENROUTER PROCESSING",
        ": OPENROUTER PROCESSING",
        """data: {"id":"gen-1773144060-Hx2cT9mWq4Lb7Ns1Rk5Y","provider":"Anthropic","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1773144060,"choices":[{"index":0,"delta":{"role":"assistant","content":"Strengths:"},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}""",
        """data: {"id":"gen-1773144060-Hx2cT9mWq4Lb7Ns1Rk5Y","provider":"Anthropic","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1773144060,"choices":[{"index":0,"delta":{"role":"assistant","content":" clear impact."},"finish_reason":"stop","native_finish_reason":"end_turn","logprobs":null}]}""",
        """data: {"id":"gen-1773144060-Hx2cT9mWq4Lb7Ns1Rk5Y","provider":"Anthropic","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1773144060,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"native_finish_reason":null,"logprobs":null}],"usage":{"prompt_tokens":5100,"completion_tokens":420,"total_tokens":5520,"cost":0.015,"is_byok":false,"prompt_tokens_details":{"cached_tokens":3000,"cache_write_tokens":2000,"audio_tokens":0},"cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":0.0087,"upstream_inference_completions_cost":0.0063},"completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0}}}""",
        "data: [DONE]",
    ];

    /// <summary>Gemini's OpenAI endpoint: keys in alphabetical order, a short opaque id, and usage with only the three totals.</summary>
    public const string GeminiJson = """
        {"choices":[{"finish_reason":"stop","index":0,"message":{"content":"Your summary leads with results.","role":"assistant"}}],
         "created":1773144000,"id":"QJ2vacT8Ko2a1MkPp5uVgAo","model":"gemini-2.0-flash","object":"chat.completion",
         "usage":{"completion_tokens":350,"prompt_tokens":4000,"total_tokens":4350}}
        """;

    /// <summary>Gemini streamed with stream_options.include_usage: usage rides on the last content chunk, not one of its own.</summary>
    public static readonly string[] GeminiStream =
    [
        """data: {"choices":[{"delta":{"content":"Your summary","role":"assistant"},"index":0}],"created":1773144060,"id":"PJ2vaZr4Hf2c1MkP0tGQsQs","model":"gemini-2.0-flash","object":"chat.completion.chunk"}""",
        """data: {"choices":[{"delta":{"content":" leads with results.","role":"assistant"},"finish_reason":"stop","index":0}],"created":1773144060,"id":"PJ2vaZr4Hf2c1MkP0tGQsQs","model":"gemini-2.0-flash","object":"chat.completion.chunk","usage":{"completion_tokens":120,"prompt_tokens":900,"total_tokens":1020}}""",
        "data: [DONE]",
    ];

    private static void MapOpenAiCompatible(WebApplication app)
    {
        app.MapPost("/openai/deployments/{deployment}/chat/completions",
            http => AnswerAsync(http, AzureJson, "application/json", AzureStream));
        app.MapPost("/api/v1/chat/completions", http => AnswerAsync(http, OpenRouterJson, "application/json", OpenRouterStream));
        app.MapPost("/v1beta/openai/chat/completions",
            http => AnswerAsync(http, GeminiJson, "application/json; charset=utf-8", GeminiStream));
    }

    private static async Task AnswerAsync(HttpContext http, string json, string contentType, string[] stream)
    {
        if (!await WantsStreamAsync(http))
        {
            http.Response.ContentType = contentType;
            await http.Response.WriteAsync(json);
            return;
        }

        await StreamAsync(http, stream.Select(line => line + "\n\n"));
    }
}
