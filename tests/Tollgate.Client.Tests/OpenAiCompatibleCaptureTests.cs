using System.Text;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Client.Llm;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>
/// The capture handler against the OpenAI-compatible providers it claims to cover, each called whole and streamed on
/// its own URL shape: the calls it queues (model, id, disjoint token counts) and what Tollgate charges for them.
/// </summary>
public sealed class OpenAiCompatibleCaptureTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AzureCallsKeepTheirModelAndIdThroughFilterAnnotationFramesThatHaveNone()
    {
        await using var tollgate = await StartTollgateAsync();
        await using var provider = await FakeModelProvider.StartAsync();

        var (calls, streamed) = await CaptureAsync(provider, FakeModelProvider.AzureRoute, tollgate.Clock);
        var logged = await new TollgateClient(tollgate.Admin).LogLlmUsageAsync(calls);

        Assert.Equal(Sse(FakeModelProvider.AzureStream), streamed);
        Assert.Equal(
            [
                Call("gpt-4o-2024-08-06", "chatcmpl-BAz1azure", input: 1976, cached: 1024, output: 400),
                Call("gpt-4o-2024-08-06", "chatcmpl-BAz2stream", input: 1500, output: 250),
            ],
            calls);
        // gpt-4o: 1976×$2.50 + 1024×$1.25 + 400×$10 per 1M, then 1500×$2.50 + 250×$10 per 1M.
        Assert.Equal([0.01022m, 0.00625m], logged.Calls.Select(c => c.CostUsd));
    }

    [Fact]
    public async Task OpenRouterCallsCountCacheReadsAndWritesOnceAndAreChargedWhatOpenRouterCharged()
    {
        await using var tollgate = await StartTollgateAsync();
        await using var provider = await FakeModelProvider.StartAsync();

        var (calls, streamed) = await CaptureAsync(provider, FakeModelProvider.OpenRouterRoute, tollgate.Clock);
        var logged = await new TollgateClient(tollgate.Admin).LogLlmUsageAsync(calls);

        Assert.Equal(Sse(FakeModelProvider.OpenRouterStream), streamed);
        Assert.Equal(
            [
                Call("openai/gpt-4o", "gen-1773144000-Qm3kXb7T2pN9vR4sL8wZ", input: 920, cached: 1280, output: 300),
                // 5,100 prompt tokens of which 3,000 read from the cache and 2,000 written to it.
                Call("anthropic/claude-sonnet-4.5", "gen-1773144060-Hx2cT9mWq4Lb7Ns1Rk5Y",
                    input: 100, cached: 3000, cacheWrite: 2000, output: 420),
            ],
            calls);
        Assert.Equal(2, logged.Accepted);
        // "openai/gpt-4o" is priced as gpt-4o, at the cost OpenRouter reported: 920×$2.50 + 1280×$1.25 + 300×$10 per 1M.
        Assert.Equal((0.0069m, false), (logged.Calls[0].CostUsd, logged.Calls[0].Unpriced));
    }

    [Fact]
    public async Task GeminiOpenAiEndpointCallsAreCapturedWhenUsageRidesOnTheLastContentChunk()
    {
        await using var tollgate = await StartTollgateAsync();
        await using var provider = await FakeModelProvider.StartAsync();

        var (calls, streamed) = await CaptureAsync(provider, FakeModelProvider.GeminiRoute, tollgate.Clock);
        var logged = await new TollgateClient(tollgate.Admin).LogLlmUsageAsync(calls);

        Assert.Equal(Sse(FakeModelProvider.GeminiStream), streamed);
        Assert.Equal(
            [
                Call("gemini-2.0-flash", "QJ2vacT8Ko2a1MkPp5uVgAo", input: 4000, output: 350),
                Call("gemini-2.0-flash", "PJ2vaZr4Hf2c1MkP0tGQsQs", input: 900, output: 120),
            ],
            calls);
        // gemini-2.0-flash: 4000×$0.10 + 350×$0.40 per 1M, then 900×$0.10 + 120×$0.40 per 1M.
        Assert.Equal([0.00054m, 0.000138m], logged.Calls.Select(c => c.CostUsd));
    }

    private static async Task<TollgateApp> StartTollgateAsync()
    {
        var tollgate = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.LlmCatalog(), Start);
        await tollgate.CustomerAsync("c1");
        return tollgate;
    }

    /// <summary>A whole and a streamed call through the handler, for c1's "chat": what it queued, and the stream the app read.</summary>
    private static async Task<(List<LlmCallRequest> Calls, string Streamed)> CaptureAsync(
        FakeModelProvider provider, string route, TimeProvider time)
    {
        var buffer = new LlmUsageBuffer(Options.Create(new LlmCaptureOptions()));
        using var model = new HttpClient(new TollgateLlmUsageHandler(buffer, time) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = provider.Address,
        };

        string streamed;
        using (TollgateLlm.For("c1", "chat"))
        {
            await PostAsync(model, route, """{"model":"m","messages":[]}""");
            streamed = await PostAsync(model, route,
                """{"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true}}""");
        }

        var calls = new List<LlmCallRequest>();
        while (buffer.Reader.TryRead(out var call))
        {
            calls.Add(call);
        }

        Assert.Equal(0, buffer.Failures);
        // The whole call, then the streamed one, as the Python and TypeScript captures mark them; the rest is compared by value.
        Assert.Equal([false, true], calls.Select(c => c.Metadata!["streamed"].GetBoolean()));
        return ([.. calls.Select(c => c with { Metadata = null })], streamed);
    }

    private static async Task<string> PostAsync(HttpClient model, string route, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        using var response = await model.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static LlmCallRequest Call(string model, string id, long input, long output, long cached = 0, long cacheWrite = 0) =>
        new("c1", model, "chat", "openai", input, output, cached, cacheWrite, RequestId: id, Timestamp: Start);

    private static string Sse(IEnumerable<string> lines) => string.Concat(lines.Select(line => line + "\n\n"));
}
