using System.Net.Http.Headers;

namespace Tollgate.Client.Llm;

/// <summary>
/// A <see cref="DelegatingHandler"/> for the HttpClient an app calls its model provider with. It reads the token
/// usage from each response (for a stream, from its final events, as the app reads them) and queues a log entry for
/// Tollgate. It never slows or fails the app's own call: parsing happens on bytes the app reads anyway, and
/// sending is in the background.
/// </summary>
public sealed class TollgateLlmUsageHandler(LlmUsageBuffer buffer, TimeProvider time) : DelegatingHandler
{
    /// <summary>Per-request override of <see cref="TollgateLlm.For"/>: <c>request.Options.Set(TollgateLlmUsageHandler.Owner, …)</c>.</summary>
    public static readonly HttpRequestOptionsKey<LlmCallOwner> Owner = new("tollgate.llm.owner");

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var owner = request.Options.TryGetValue(Owner, out var explicitOwner) ? explicitOwner : TollgateLlm.Owner;
        var at = time.GetUtcNow();
        var response = await base.SendAsync(request, cancellationToken);
        if (owner is null || !response.IsSuccessStatusCode)
        {
            return response;
        }

        try
        {
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var requestId = HeaderValue(response, "x-request-id") ?? HeaderValue(response, "request-id");
            var host = request.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.Host : null;
            if (mediaType == "text/event-stream")
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                response.Content = Observe(response.Content, owner, at, requestId, stream, host);
            }
            else if (mediaType is "application/json")
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                var reader = new LlmUsageReader(LlmUsageReader.ProviderOf(host));
                reader.ReadJson(await response.Content.ReadAsByteArrayAsync(cancellationToken));
                buffer.Add(reader.ToCall(owner, at, streamed: false, requestId));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            buffer.CountFailure(e); // capture must never break the app's call
        }

        return response;
    }

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) && values.FirstOrDefault() is { Length: > 0 } value ? value : null;

    private StreamContent Observe(HttpContent original, LlmCallOwner owner, DateTimeOffset at, string? requestId, Stream stream, string? host)
    {
        var reader = new LlmUsageReader(LlmUsageReader.ProviderOf(host));
        var observing = new ServerSentEventsObserver(
            stream, reader.ReadEvent, () => buffer.Add(reader.ToCall(owner, at, streamed: true, requestId)));
        var content = new StreamContent(observing);
        foreach (var header in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        content.Headers.ContentType ??= new MediaTypeHeaderValue("text/event-stream");
        return content;
    }
}
