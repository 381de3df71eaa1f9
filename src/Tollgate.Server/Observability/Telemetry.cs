using System.Diagnostics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Observability;

/// <summary>
/// OpenTelemetry through its hosting package, when Tollgate:Otlp:Endpoint is set: request spans named by route template
/// (ASP.NET Core), outgoing HTTP (less third parties) and Npgsql commands, and the same meters /metrics reads, pushed with
/// OTLP. Unset, nothing is registered, so requests pay for no tracing at all. The host's start and stop run the
/// providers; stopping flushes what was not exported yet.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddTollgateTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(OtlpOptions.Section);
        // A bad value is left to OptionsValidation, which stops the start with a message naming the setting.
        if (!Uri.TryCreate(section["Endpoint"], UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            return services;
        }

        var grpc = string.Equals(section["Protocol"], "grpc", StringComparison.OrdinalIgnoreCase);
        var headers = section["Headers"];
        var interval = int.TryParse(section["ExportIntervalSeconds"], out var seconds) && seconds >= 1 ? seconds : 60;
        // The HttpClient instrumentation injects the SDK's propagator into every request, filtered or not, unless that is
        // plain W3C trace context, which it leaves to the runtime's handler: whose propagator each client chooses, so a
        // third party's client can write none (ThirdPartyCalls). Tollgate sends no baggage to lose.
        Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(section["ServiceName"] is { Length: > 0 } name ? name : "tollgate"))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = http => http.Request.Path != "/metrics" && http.Request.Path != "/healthz"; // scrapes and probes
                    o.EnrichWithHttpResponse = (span, response) => WithoutPathValues(span, response.HttpContext);
                })
                .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = request => !ThirdPartyCalls.IsThirdParty(request))
                .AddNpgsql()
                .AddOtlpExporter(exporter => Configure(exporter, endpoint, grpc, "v1/traces", headers)))
            .WithMetrics(metrics => metrics
                .AddMeter(TollgateMetrics.MeterName, StorageMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, endpoint, grpc, "v1/metrics", headers);
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval * 1000;
                }));
        return services;
    }

    /// <summary>
    /// url.path becomes the route template (<c>/v1/customers/{id}</c>): a path's values are customer ids the app chose,
    /// which may be e-mail addresses, and a trace must not carry them.
    /// </summary>
    private static void WithoutPathValues(Activity span, HttpContext http)
    {
        if ((http.GetEndpoint() as RouteEndpoint)?.RoutePattern is { Parameters.Count: > 0 } pattern)
        {
            span.SetTag("url.path", pattern.RawText);
        }
    }

    /// <summary>Over HTTP the SDK takes the signal's full URL when the endpoint is given in code; over gRPC the base.</summary>
    private static void Configure(OtlpExporterOptions exporter, Uri endpoint, bool grpc, string signalPath, string? headers)
    {
        exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = grpc ? endpoint : new Uri(endpoint.ToString().TrimEnd('/') + "/" + signalPath);
        if (!string.IsNullOrWhiteSpace(headers))
        {
            exporter.Headers = headers;
        }
    }
}
