using Tollgate.Server.Metrics;

namespace Tollgate.Server.Exports;

/// <summary>A checked export request, shared by the endpoint and the CLI verb so both refuse the same input the same way.</summary>
public sealed record ExportRequest(ExportSpec Spec, DateTimeOffset From, DateTimeOffset To, ExportFormat Format)
{
    public static readonly string KindNames = string.Join(", ", ExportQueries.All.Select(s => s.Name));

    /// <summary>From defaults to the start of time, to to just after now (so a row written this millisecond is in); a bad field is named in <paramref name="errors"/>.</summary>
    public static ExportRequest? Parse(string? kind, string? from, string? to, string? format, DateTimeOffset now, out Dictionary<string, string> errors)
    {
        errors = [];
        var spec = ExportQueries.Find(kind);
        if (spec is null)
        {
            errors["kind"] = $"must be one of {KindNames}";
        }

        if (!ExportWriter.TryParseFormat(format, out var parsedFormat))
        {
            errors["format"] = "must be csv or ndjson";
        }

        var start = SaasStatsApi.ParseInstant(from, "from", errors) ?? DateTimeOffset.UnixEpoch;
        var end = SaasStatsApi.ParseInstant(to, "to", errors) ?? now.AddMilliseconds(1);
        if (!errors.ContainsKey("from") && !errors.ContainsKey("to") && start >= end)
        {
            errors["to"] = "must be after from";
        }

        return errors.Count == 0 ? new ExportRequest(spec!, start, end, parsedFormat) : null;
    }

    public string FileName => $"tollgate-{Spec.Name}-{From:yyyyMMdd}-{To:yyyyMMdd}.{(Format == ExportFormat.Csv ? "csv" : "ndjson")}";
}
