using System.Diagnostics;

namespace Tollgate.Server.Observability;

/// <summary>
/// Calls to third parties (Stripe, webhook endpoints) leave without trace context: a <c>traceparent</c> would tell them
/// this server's internal trace ids. The handler's propagator writes no headers, and the HttpClient instrumentation skips
/// these requests, so it neither records a span for them nor injects its own.
/// </summary>
public static class ThirdPartyCalls
{
    private static readonly HttpRequestOptionsKey<bool> Key = new("tollgate.third_party");

    /// <summary>Marks this client's requests as third-party; its primary handler must be a <see cref="SocketsHttpHandler"/>.</summary>
    public static IHttpClientBuilder WithoutTraceContext(this IHttpClientBuilder builder) => builder
        .ConfigurePrimaryHttpMessageHandler((handler, _) =>
        {
            if (handler is not SocketsHttpHandler sockets)
            {
                throw new InvalidOperationException($"Client '{builder.Name}' needs a SocketsHttpHandler to keep trace context in.");
            }

            sockets.ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator();
        })
        .AddHttpMessageHandler(() => new Marker());

    public static bool IsThirdParty(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var marked) && marked;

    private sealed class Marker : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Options.Set(Key, true);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
