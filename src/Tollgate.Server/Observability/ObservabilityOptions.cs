using System.Net;

namespace Tollgate.Server.Observability;

/// <summary>Bound from Tollgate:Observability: who may read /metrics without a key.</summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Tollgate:Observability";

    /// <summary>Networks (CIDR) whose clients read /metrics without a key; unset means loopback only. Others need an admin key.</summary>
    public string[]? MetricsNetworks { get; set; }

    public IReadOnlyList<IPNetwork> Networks() =>
        [.. (MetricsNetworks is { Length: > 0 } networks ? networks : ["127.0.0.0/8", "::1/128"]).Select(n => IPNetwork.Parse(n.Trim()))];
}

/// <summary>Bound from Tollgate:Otlp: where to push metrics and traces with OTLP; nothing is sent while Endpoint is unset.</summary>
public sealed class OtlpOptions
{
    public const string Section = "Tollgate:Otlp";

    /// <summary>The collector's base URL, such as http://localhost:4318 (http/protobuf) or http://localhost:4317 (grpc).</summary>
    public string? Endpoint { get; set; }

    /// <summary>"http/protobuf" (the default) or "grpc".</summary>
    public string Protocol { get; set; } = "http/protobuf";

    /// <summary>Extra headers for the collector, as "key1=value1,key2=value2" (an API key, for instance).</summary>
    public string? Headers { get; set; }

    public int ExportIntervalSeconds { get; set; } = 60;

    public string ServiceName { get; set; } = "tollgate";
}
