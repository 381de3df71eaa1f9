using System.Text.Json;
using Tollgate.Contracts;

namespace Tollgate.Client.Llm;

/// <summary>
/// Reads token usage from model responses: OpenAI-compatible chat completions and responses (OpenAI, Azure OpenAI,
/// OpenRouter, Gemini's OpenAI endpoint) and Anthropic messages, whole or streamed. Counts are made disjoint on the
/// way: OpenAI's cached tokens (and OpenRouter's cache writes) leave the prompt count and its reasoning tokens leave the
/// completion count.
/// </summary>
internal sealed class LlmUsageReader
{
    private string? _id;
    private string? _model;
    private string? _provider;
    private long _input, _output, _cached, _cacheWrite, _cacheWrite1h, _reasoning;
    private bool _sawUsage;

    /// <param name="provider">The host's (<see cref="ProviderOf"/>), when it says more than the answer's shape.</param>
    public LlmUsageReader(string? provider = null) => _provider = provider;

    // Hosts whose answers have OpenAI's shape but whose prices are another provider's: Azure's own rows, and the Gemini
    // API's (a bare gemini-… name is priced as Vertex AI's). The same list as the Python and TypeScript captures.
    private static readonly (string Domain, string Provider)[] HostProviders =
    [
        ("openai.azure.com", "azure"), ("cognitiveservices.azure.com", "azure"), ("services.ai.azure.com", "azure"),
        ("generativelanguage.googleapis.com", "gemini"), ("openrouter.ai", "openrouter"),
    ];

    /// <summary>The provider a call to <paramref name="host"/> is priced as, or null to go by the answer's shape.</summary>
    public static string? ProviderOf(string? host)
    {
        var name = (host ?? "").TrimEnd('.').ToLowerInvariant();
        foreach (var (domain, provider) in HostProviders)
        {
            if (name == domain || name.EndsWith("." + domain, StringComparison.Ordinal))
            {
                return provider;
            }
        }

        return null;
    }

    /// <summary>A whole JSON response.</summary>
    public void ReadJson(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            Read(document.RootElement);
        }
        catch (JsonException)
        {
        }
    }

    /// <summary>One server-sent event's data line.</summary>
    public void ReadEvent(string data)
    {
        if (data.Length == 0 || data == "[DONE]")
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            // Anthropic streams: the message and its first usage in message_start, cumulative usage in message_delta.
            if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
            {
                switch (type.GetString())
                {
                    case "message_start" when root.TryGetProperty("message", out var message):
                        Read(message);
                        return;
                    case "message_delta" when root.TryGetProperty("usage", out var usage):
                        ReadAnthropic(usage);
                        return;
                    case "response.completed" when root.TryGetProperty("response", out var response):
                        Read(response);
                        return;
                }
            }

            Read(root);
        }
        catch (JsonException)
        {
        }
    }

    /// <summary>
    /// The call to log, or null without usage. Without the provider's id, the answer's request-id header or a made one
    /// keeps the sender's retries counting once; <c>metadata</c> records <c>streamed</c> and that header, as the Python
    /// and TypeScript captures do.
    /// </summary>
    public LlmCallRequest? ToCall(LlmCallOwner owner, DateTimeOffset at, bool streamed, string? httpRequestId)
    {
        if (!_sawUsage || _model is null)
        {
            return null;
        }

        var metadata = new Dictionary<string, JsonElement> { ["streamed"] = JsonSerializer.SerializeToElement(streamed) };
        if (httpRequestId is not null)
        {
            metadata["http_request_id"] = JsonSerializer.SerializeToElement(httpRequestId);
        }

        return new LlmCallRequest(owner.Customer, _model, owner.Feature, _provider, Math.Max(0, _input), Math.Max(0, _output), _cached,
            _cacheWrite, _reasoning, RequestId: _id ?? httpRequestId ?? $"llmc_sdk_{Guid.NewGuid():N}", Timestamp: at, Metadata: metadata,
            CacheWrite1hTokens: Math.Max(0, Math.Min(_cacheWrite1h, _cacheWrite)));
    }

    private void Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        // Azure's content-filter annotation frames carry an empty id and model, some after the usage chunk: keep the real ones.
        _id = Text(root, "id") ?? _id;
        _model = Text(root, "model") ?? _model;

        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (usage.TryGetProperty("prompt_tokens", out _))
        {
            _provider ??= "openai";
            var cached = Number(usage, "prompt_tokens_details", "cached_tokens");
            // OpenRouter counts cache writes (Anthropic models) inside prompt_tokens, as it does cache reads.
            var cacheWrite = Number(usage, "prompt_tokens_details", "cache_write_tokens");
            var reasoning = Number(usage, "completion_tokens_details", "reasoning_tokens");
            Set(Number(usage, "prompt_tokens") - cached - cacheWrite, Number(usage, "completion_tokens") - reasoning,
                cached, cacheWrite, reasoning);
        }
        else if (usage.TryGetProperty("input_tokens_details", out _) || usage.TryGetProperty("output_tokens_details", out _))
        {
            _provider ??= "openai";
            var cached = Number(usage, "input_tokens_details", "cached_tokens");
            var reasoning = Number(usage, "output_tokens_details", "reasoning_tokens");
            Set(Number(usage, "input_tokens") - cached, Number(usage, "output_tokens") - reasoning, cached, 0, reasoning);
        }
        else
        {
            ReadAnthropic(usage);
        }
    }

    /// <summary>Anthropic's input_tokens already leave out cache reads and writes; later events restate totals, so values replace.</summary>
    private void ReadAnthropic(JsonElement usage)
    {
        _provider ??= "anthropic";
        _input = usage.TryGetProperty("input_tokens", out _) ? Number(usage, "input_tokens") : _input;
        _output = usage.TryGetProperty("output_tokens", out _) ? Number(usage, "output_tokens") : _output;
        _cached = usage.TryGetProperty("cache_read_input_tokens", out _) ? Number(usage, "cache_read_input_tokens") : _cached;
        _cacheWrite = usage.TryGetProperty("cache_creation_input_tokens", out _) ? Number(usage, "cache_creation_input_tokens") : _cacheWrite;
        // The part of those writes kept for an hour (ttl "1h"), which bills at twice the input rate, not 1.25 times.
        _cacheWrite1h = usage.TryGetProperty("cache_creation", out var creation) && creation.ValueKind == JsonValueKind.Object
            && creation.TryGetProperty("ephemeral_1h_input_tokens", out _) ? Number(usage, "cache_creation", "ephemeral_1h_input_tokens") : _cacheWrite1h;
        _sawUsage = true;
    }

    private void Set(long input, long output, long cached, long cacheWrite, long reasoning)
    {
        (_input, _output, _cached, _cacheWrite, _reasoning) = (input, output, cached, cacheWrite, reasoning);
        _sawUsage = true;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    private static long Number(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return 0;
            }
        }

        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var n) ? n : 0;
    }
}
