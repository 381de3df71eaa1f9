using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tollgate.Client.Tests;

/// <summary>
/// A model provider on a real port that answers with recorded response shapes: OpenAI chat completions (whole, and
/// streamed with <c>stream_options.include_usage</c>), Anthropic messages (whole, and streamed), and the OpenAI-compatible
/// providers in FakeModelProvider.OpenAiCompatible.cs. Streams are written in small flushed pieces so that events split
/// across reads, as they do over a network.
/// </summary>
internal sealed partial class FakeModelProvider : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeModelProvider(WebApplication app, Uri address) => (_app, Address) = (app, address);

    public Uri Address { get; }

    public const string OpenAiJson = """
        {"id":"chatcmpl-o3-1","object":"chat.completion","created":1773144000,"model":"o3-2025-04-16",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Here is your CV."},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":1200,"completion_tokens":500,"total_tokens":1700,
                  "prompt_tokens_details":{"cached_tokens":200,"audio_tokens":0},
                  "completion_tokens_details":{"reasoning_tokens":300,"audio_tokens":0}}}
        """;

    public static readonly string[] OpenAiStream =
    [
        """{"id":"chatcmpl-s1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}],"usage":null}""",
        """{"id":"chatcmpl-s1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}],"usage":null}""",
        """{"id":"chatcmpl-s1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":1000,"total_tokens":3000,"prompt_tokens_details":{"cached_tokens":1000}}}""",
        "[DONE]",
    ];

    public const string AnthropicJson = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
         "content":[{"type":"text","text":"Interview question one."}],"stop_reason":"end_turn",
         "usage":{"input_tokens":100,"cache_creation_input_tokens":1000,"cache_read_input_tokens":2000,"output_tokens":500,
                  "cache_creation":{"ephemeral_5m_input_tokens":600,"ephemeral_1h_input_tokens":400}}}
        """;

    public static readonly (string Event, string Data)[] AnthropicStream =
    [
        ("message_start", """{"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"usage":{"input_tokens":500,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}"""),
        ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
        ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"""),
        ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
        ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":300}}"""),
        ("message_stop", """{"type":"message_stop"}"""),
    ];

    public static async Task<FakeModelProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            if (!await WantsStreamAsync(http))
            {
                return Results.Text(OpenAiJson, "application/json");
            }

            await StreamAsync(http, OpenAiStream.Select(data => $"data: {data}\n\n"));
            return Results.Empty;
        });
        app.MapPost("/v1/messages", async (HttpContext http) =>
        {
            if (!await WantsStreamAsync(http))
            {
                return Results.Text(AnthropicJson, "application/json");
            }

            await StreamAsync(http, AnthropicStream.Select(e => $"event: {e.Event}\r\ndata: {e.Data}\r\n\r\n"));
            return Results.Empty;
        });
        MapOpenAiCompatible(app);
        app.MapPost("/v1/fail", () => Results.Text("""{"error":{"message":"overloaded"}}""", "application/json", statusCode: 529));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeModelProvider(app, new Uri(address + "/"));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static async Task<bool> WantsStreamAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        return (await reader.ReadToEndAsync()).Contains("\"stream\":true", StringComparison.Ordinal);
    }

    private static async Task StreamAsync(HttpContext http, IEnumerable<string> events)
    {
        http.Response.ContentType = "text/event-stream";
        foreach (var text in events)
        {
            // Each event goes out in two flushed halves, so a line is split across the client's reads.
            var bytes = Encoding.UTF8.GetBytes(text);
            var half = bytes.Length / 2;
            await http.Response.Body.WriteAsync(bytes.AsMemory(0, half));
            await http.Response.Body.FlushAsync();
            await http.Response.Body.WriteAsync(bytes.AsMemory(half));
            await http.Response.Body.FlushAsync();
        }
    }
}
