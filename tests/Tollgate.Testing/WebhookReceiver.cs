using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tollgate.Testing;

/// <summary>An app's webhook endpoint on a real port: records every request and answers with the status the test sets.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script = new();

    private WebhookReceiver(WebApplication app, Uri url) => (_app, Url) = (app, url);

    public Uri Url { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The status answered once the scripted ones are used up.</summary>
    public int Status { get; set; } = 200;

    /// <summary>How long each answer takes (a slow receiver).</summary>
    public TimeSpan Delay { get; set; }

    public sealed record Received(string Body, IReadOnlyDictionary<string, string> Headers, int Answered);

    /// <summary>A receiver on <paramref name="port"/> (a free one when 0): pass a port to bring a receiver that was down back up.</summary>
    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            // Ends early when the sender gives up (its timeout, or Tollgate stopping), so a slow receiver stops at once.
            await Task.Delay(receiver!.Delay, http.RequestAborted);
            var status = receiver._script.TryDequeue(out var scripted) ? scripted : receiver.Status;
            receiver.Requests.Enqueue(new Received(body, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address + "/hook"));
        return receiver;
    }

    /// <summary>Answers the next requests with these statuses, in order.</summary>
    public void Script(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue(status);
        }
    }

    /// <summary>Waits (in real time) until at least <paramref name="count"/> requests arrived.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? RealTime.Limit);
        while (Requests.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Requests.Count} of {count} webhook requests arrived.");
            }

            await Task.Delay(20);
        }

        return [.. Requests];
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
