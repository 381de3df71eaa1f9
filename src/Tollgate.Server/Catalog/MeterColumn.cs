using System.Text.Json;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>A plan feature's LLM meter, stored as a small JSON object in <c>plan_features.meter_json</c>.</summary>
internal static class MeterColumn
{
    public static string Write(LlmMeter meter) => JsonSerializer.Serialize(new Stored(meter.Measure.ToWire(), [.. meter.Features], [.. meter.Providers]));

    public static LlmMeter? Read(string json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json);
        return stored is not null && QuotaTermNames.TryParseMeasure(stored.Llm, out var measure)
            ? new LlmMeter(measure, stored.Features ?? [], stored.Providers ?? [])
            : null;
    }

    private sealed record Stored(string Llm, string[]? Features, string[]? Providers);
}
