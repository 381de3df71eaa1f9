using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tollgate.Client.AspNetCore;
using Tollgate.Contracts;
using Tollgate.Client.Llm;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>
/// The capture handler in an app's HttpClient, between the app and a fake model provider on a real port, logging
/// to a real Tollgate server. The app's host is stopped before reading Tollgate, so the shutdown flush is what
/// delivers the calls.
/// </summary>
public sealed class LlmCaptureTests
{
    private static async Task<(TollgateApp Tollgate, FakeModelProvider Provider)> StartAsync()
    {
        var tollgate = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.LlmCatalog(), new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero),
            kestrel: true);
        await tollgate.CustomerAsync("c1");
        return (tollgate, await FakeModelProvider.StartAsync());
    }

    /// <summary>An app host: Tollgate's SDK with capture, and a "model" HttpClient that goes through the capture handler.</summary>
    private static IHost App(
        Uri tollgate, Uri provider, TimeProvider time, TimeSpan? shutdownTimeout = null, Action<LlmCaptureOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(time);
        builder.Services.AddTollgate(o => (o.BaseAddress, o.ApiKey) = (tollgate, TollgateApp.AdminKey));
        builder.Services.AddTollgateLlmCapture(o =>
        {
            o.FlushInterval = TimeSpan.FromMinutes(10); // only the shutdown flush sends: the test reads Tollgate after it
            o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(10);
            configure?.Invoke(o);
        });
        builder.Services.AddHttpClient("model", http => http.BaseAddress = provider).AddHttpMessageHandler<TollgateLlmUsageHandler>();
        return builder.Build();
    }

    private static HttpClient Model(IHost app) => app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("model");

    private static async Task<string> CallAsync(HttpClient model, string path, bool stream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(stream ? """{"model":"m","stream":true}""" : """{"model":"m"}""", Encoding.UTF8, "application/json"),
        };
        using var response = await model.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<CustomerCostResponse> CostsAsync(TollgateApp tollgate) =>
        (await tollgate.Admin.GetFromJsonAsync<CustomerCostResponse>("/v1/admin/stats/user-costs/c1?days=1", TollgateClient.Json))!;

    [Fact]
    public async Task OpenAiCallsWholeAndStreamedArePricedWithCachedAndReasoningTokensCountedOnce()
    {
        var (tollgate, provider) = await StartAsync();
        await using var _ = tollgate;
        await using var __ = provider;
        using var app = App(tollgate.BaseAddress!, provider.Address, tollgate.Clock);
        await app.StartAsync();

        string whole, streamed;
        using (TollgateLlm.For("c1", "chat"))
        {
            whole = await CallAsync(Model(app), "v1/chat/completions", stream: false);
            streamed = await CallAsync(Model(app), "v1/chat/completions", stream: true);
        }

        await app.StopAsync();
        var costs = await CostsAsync(tollgate);
        var o3 = costs.ByModel.Single(m => m.Model == "o3-2025-04-16");
        var mini = costs.ByModel.Single(m => m.Model == "gpt-4o-mini-2024-07-18");

        Assert.Contains("Here is your CV.", whole, StringComparison.Ordinal);
        Assert.Equal(string.Concat(FakeModelProvider.OpenAiStream.Select(d => $"data: {d}\n\n")), streamed);
        // o3: 1,200 prompt of which 200 cached, 500 completion of which 300 reasoning → 1000×$2 + 200×$0.50 + 200×$8 + 300×$8 per 1M.
        Assert.Equal((1000L, 200L, 200L, 300L, 0.0061m), (o3.InputTokens, o3.CachedInputTokens, o3.OutputTokens, o3.ReasoningTokens, o3.CostUsd));
        // gpt-4o-mini streamed: usage only in the final chunk → 1000×$0.15 + 1000×$0.075 + 1000×$0.60 per 1M.
        Assert.Equal((1000L, 1000L, 1000L, 0.000825m), (mini.InputTokens, mini.CachedInputTokens, mini.OutputTokens, mini.CostUsd));
        Assert.Equal((2L, 0.006925m), (costs.TotalRequests, costs.TotalLlmCostUsd));
        Assert.Equal(["chat"], costs.ByFeature.Select(f => f.Feature));
        // metadata.streamed, as the Python and TypeScript captures record it.
        var calls = (await (await tollgate.Admin.GetAsync("/v1/llm/calls?customer=c1")).ReadAsync())["data"]!.AsArray();
        Assert.Equal([false, true], calls.Select(c => c!["metadata"]!["streamed"].Value<bool>()).Order());
    }

    [Fact]
    public async Task AnthropicCallsWholeAndStreamedCountCacheWritesReadsAndTheFinalOutputTotal()
    {
        var (tollgate, provider) = await StartAsync();
        await using var _ = tollgate;
        await using var __ = provider;
        using var app = App(tollgate.BaseAddress!, provider.Address, tollgate.Clock);
        await app.StartAsync();

        string streamed;
        using (TollgateLlm.For("c1", "chat"))
        {
            await CallAsync(Model(app), "v1/messages", stream: false);
            streamed = await CallAsync(Model(app), "v1/messages", stream: true);
        }

        await app.StopAsync();
        var costs = await CostsAsync(tollgate);
        var sonnet = costs.ByModel.Single(m => m.Model == "claude-sonnet-4-5-20250929");
        var haiku = costs.ByModel.Single(m => m.Model == "claude-haiku-4-5-20251001");

        Assert.Contains("event: message_stop", streamed, StringComparison.Ordinal);
        // 100×$3 + 600×$3.75 (cache write) + 400×$6 (written for an hour) + 2000×$0.30 (cache read) + 500×$15 per 1M.
        Assert.Equal((100L, 1000L, 2000L, 500L, 0.01305m),
            (sonnet.InputTokens, sonnet.CacheWriteTokens, sonnet.CachedInputTokens, sonnet.OutputTokens, sonnet.CostUsd));
        // message_delta restates the output total (300), replacing message_start's 1: 500×$1 + 300×$5 per 1M.
        Assert.Equal((500L, 300L, 0.002m), (haiku.InputTokens, haiku.OutputTokens, haiku.CostUsd));
    }

    [Fact]
    public async Task CallsOutsideAnOwnerScopeAndFailedCallsAreNotLoggedAndPerRequestOwnerWins()
    {
        var (tollgate, provider) = await StartAsync();
        await using var _ = tollgate;
        await using var __ = provider;
        await tollgate.CustomerAsync("c2");
        using var app = App(tollgate.BaseAddress!, provider.Address, tollgate.Clock);
        await app.StartAsync();

        await CallAsync(Model(app), "v1/messages", stream: false);
        using (TollgateLlm.For("c1"))
        {
            using var failed = await Model(app).PostAsync(new Uri("v1/fail", UriKind.Relative), new StringContent("{}"));
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages") { Content = new StringContent("{}") };
            request.Options.Set(TollgateLlmUsageHandler.Owner, new LlmCallOwner("c2", "chat"));
            using var other = await Model(app).SendAsync(request);
            Assert.Equal(((HttpStatusCode)529, HttpStatusCode.OK), (failed.StatusCode, other.StatusCode));
        }

        await app.StopAsync();
        var c1 = await CostsAsync(tollgate);
        var c2 = (await tollgate.Admin.GetFromJsonAsync<CustomerCostResponse>("/v1/admin/stats/user-costs/c2?days=1", TollgateClient.Json))!;

        Assert.Equal((0L, 1L), (c1.TotalRequests, c2.TotalRequests));
    }

    [Fact]
    public async Task AppCallsSucceedWhileTollgateIsDownAndShutdownGivesUpWithinItsTimeoutCountingTheCallDropped()
    {
        await using var provider = await FakeModelProvider.StartAsync();
        var closed = ClosedPort();
        using var app = App(new Uri($"http://127.0.0.1:{closed}/"), provider.Address, TimeProvider.System, TimeSpan.FromSeconds(2));
        await app.StartAsync();

        string body;
        using (TollgateLlm.For("c1", "chat"))
        {
            body = await CallAsync(Model(app), "v1/chat/completions", stream: true);
        }

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await app.StopAsync();

        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.Equal(0, app.Services.GetRequiredService<LlmUsageBuffer>().Failures);
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30)); // bounded by ShutdownTimeout, not by retries
        Assert.Equal(1, app.Services.GetRequiredService<LlmUsageBuffer>().Dropped); // the call it gave up on is counted, as the other SDKs count it
    }

    [Theory]
    [InlineData(500, 0)]
    [InlineData(0, 1000)]
    public async Task ZeroFlushIntervalOrBatchSizeStillSendsEachCallWhileTheAppRuns(int batchSize, int flushIntervalMs)
    {
        var (tollgate, provider) = await StartAsync();
        await using var _ = tollgate;
        await using var __ = provider;
        using var app = App(tollgate.BaseAddress!, provider.Address, tollgate.Clock,
            configure: o => (o.BatchSize, o.FlushInterval) = (batchSize, TimeSpan.FromMilliseconds(flushIntervalMs)));
        await app.StartAsync();

        using (TollgateLlm.For("c1", "chat"))
        {
            await CallAsync(Model(app), "v1/chat/completions", stream: false);
        }

        // Read while the app runs (the shutdown flush would hide a sender stuck going round without sending), a bounded number of times.
        var requests = 0L;
        for (var attempt = 0; attempt < 300 && requests == 0; attempt++)
        {
            await Task.Delay(100);
            requests = (await CostsAsync(tollgate)).TotalRequests;
        }

        await app.StopAsync();
        Assert.Equal(1L, requests);
    }

    [Fact]
    public async Task RetriedBatchCountsOnceThroughResponseIds()
    {
        var (tollgate, provider) = await StartAsync();
        await using var _ = tollgate;
        await using var __ = provider;
        var buffer = new LlmUsageBuffer(Microsoft.Extensions.Options.Options.Create(new LlmCaptureOptions()));
        using var http = new HttpClient { BaseAddress = tollgate.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        var client = new TollgateClient(http);
        using var model = new HttpClient(new TollgateLlmUsageHandler(buffer, tollgate.Clock) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = provider.Address,
        };

        using (TollgateLlm.For("c1", "chat"))
        {
            await CallAsync(model, "v1/chat/completions", stream: false);
        }

        var captured = new List<LlmCallRequest>();
        while (buffer.Reader.TryRead(out var call))
        {
            captured.Add(call);
        }

        var first = await client.LogLlmUsageAsync(captured);
        var retry = await client.LogLlmUsageAsync(captured);

        Assert.Equal("chatcmpl-o3-1", Assert.Single(captured).RequestId);
        Assert.Equal((1, 0, 0, 1), (first.Accepted, first.Duplicates, retry.Accepted, retry.Duplicates));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>Calls to hosts whose OpenAI-shaped answers are another provider's are priced as that provider's.</summary>
public sealed class LlmProviderHostTests
{
    [Theory]
    [InlineData("my-resource.openai.azure.com", "azure")]
    [InlineData("eastus.api.cognitiveservices.azure.com", "azure")]
    [InlineData("generativelanguage.googleapis.com", "gemini")]
    [InlineData("openrouter.ai", "openrouter")]
    [InlineData("api.openai.com", null)]
    [InlineData("notopenrouter.ai", null)]
    public void ACallToAzureOrTheGeminiApiIsLoggedAsThatProvidersWhereItsAnswersShapeSaidOpenAi(string host, string? provider) =>
        Assert.Equal(provider, LlmUsageReader.ProviderOf(host));
}
