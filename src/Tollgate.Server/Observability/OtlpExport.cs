using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Observability;

/// <summary>
/// Pushes Tollgate's metrics and request traces to an OTLP collector when Tollgate:Otlp:Endpoint is set. Built by hand
/// (OpenTelemetry.Extensions.Hosting is not available): the providers start with the host and are disposed when it
/// stops, which flushes what was not exported yet.
/// </summary>
public sealed class OtlpExport(IOptions<OtlpOptions> options, ILogger<OtlpExport> logger) : IHostedService, IDisposable
{
    private MeterProvider? _meters;
    private TracerProvider? _tracer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Endpoint))
        {
            return Task.CompletedTask;
        }

        if (!Uri.TryCreate(settings.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"Tollgate:Otlp:Endpoint must be an http(s) URL such as http://localhost:4318, not '{settings.Endpoint}'.");
        }

        var grpc = string.Equals(settings.Protocol, "grpc", StringComparison.OrdinalIgnoreCase);
        var resource = ResourceBuilder.CreateDefault().AddService(settings.ServiceName);
        _meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(TollgateMetrics.MeterName, StorageMetrics.MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, endpoint, grpc, "v1/metrics", settings.Headers);
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = settings.ExportIntervalSeconds * 1000;
            })
            .Build();
        _tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource("Microsoft.AspNetCore")
            .AddOtlpExporter(exporter => Configure(exporter, endpoint, grpc, "v1/traces", settings.Headers))
            .Build();
        logger.LogInformation("Exporting metrics and traces with OTLP ({Protocol}) to {Endpoint}", grpc ? "grpc" : "http/protobuf", endpoint);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // Once, whoever comes first (the host's stop or the container); a final collection and export happen here.
        var (meters, tracer) = (Interlocked.Exchange(ref _meters, null), Interlocked.Exchange(ref _tracer, null));
        DisposeQuietly(meters, () => meters!.Shutdown(ShutdownTimeoutMs));
        DisposeQuietly(tracer, () => tracer!.Shutdown(ShutdownTimeoutMs));
    }

    // Dispose alone gives the final export 5 s, which a loaded machine can miss; the exporter's own 10 s timeout still bounds a dead collector.
    private const int ShutdownTimeoutMs = 30_000;

    /// <summary>A collector that fails at shutdown must not fail the shutdown itself.</summary>
    private void DisposeQuietly(IDisposable? provider, Func<bool> shutdown)
    {
        try
        {
            if (provider is not null)
            {
                shutdown();
                provider.Dispose();
            }
        }
        catch (Exception e) when (e is NullReferenceException or ObjectDisposedException or InvalidOperationException)
        {
            logger.LogWarning(e, "Flushing OTLP export at shutdown failed");
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
