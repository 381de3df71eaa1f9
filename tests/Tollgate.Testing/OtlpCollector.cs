using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tollgate.Testing;

/// <summary>An OTLP/HTTP collector on loopback: keeps every export it is sent, by signal path (/v1/traces, /v1/metrics).</summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpCollector(WebApplication app) => _app = app;

    public string Url => _app.Urls.First();

    public ConcurrentQueue<Export> Received { get; } = new();

    /// <summary>One export: the path, content type and protobuf body (whose strings, such as span names, read as UTF-8).</summary>
    public sealed record Export(string Path, string ContentType, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }

    public static async Task<OtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var collector = new OtlpCollector(app);
        app.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            collector.Received.Enqueue(new Export(http.Request.Path, http.Request.ContentType ?? "", body.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync();
        return collector;
    }

    /// <summary>The exports to <paramref name="path"/> whose text holds every one of <paramref name="texts"/>.</summary>
    public IReadOnlyList<Export> Having(string path, params string[] texts) =>
        [.. Received.Where(r => r.Path == path && texts.All(t => r.Text.Contains(t, StringComparison.Ordinal)))];

    /// <summary>
    /// Waits (up to <see cref="RealTime.Limit"/>) until an export to <paramref name="path"/> holds all of <paramref name="texts"/>;
    /// the test's own assertions then say what is missing.
    /// </summary>
    public Task WaitForAsync(string path, params string[] texts) =>
        RealTime.LastAsync(() => Task.FromResult(Having(path, texts).Count), found => found > 0);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
