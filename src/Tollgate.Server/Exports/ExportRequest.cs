using Tollgate.Server.Metrics;

namespace Tollgate.Server.Exports;

/// <summary>A checked export request, shared by the endpoint and the CLI verb so both refuse the same input the same way.</summary>
public sealed record ExportRequest(ExportSpec Spec, DateTimeOffset From, DateTimeOffset To, ExportFormat Format)
{
    public static readonly string KindNames = string.Join(", ", ExportQueries.All.Select(s => s.Name));

    /// <summary>From defaults to the beginning (the calendar's first day), to to just after now (so a row written this millisecond is in); a bad field is named in <paramref name="errors"/>.</summary>
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

        // Rows may be dated before 1970 (an LLM call's timestamp is the caller's), so the beginning is the calendar's.
        var start = Bounded(SaasStatsApi.ParseInstant(from, "from", errors), "from", errors) ?? DateTimeOffset.MinValue;
        var end = Bounded(SaasStatsApi.ParseInstant(to, "to", errors), "to", errors) ?? now.AddMilliseconds(1);
        if (!errors.ContainsKey("from") && !errors.ContainsKey("to") && start >= end)
        {
            errors["to"] = "must be after from";
        }

        return errors.Count == 0 ? new ExportRequest(spec!, start, end, parsedFormat) : null;
    }

    private static readonly DateTimeOffset Earliest = new(1000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // A bound the caller gives is a year a person means; year 1 or 9999 would overflow the day arithmetic of the queries.
    private static DateTimeOffset? Bounded(DateTimeOffset? at, string field, Dictionary<string, string> errors)
    {
        if (at is { } instant && (instant < Earliest || instant >= Latest))
        {
            errors[field] = "must be from 1000-01-01 to 8999-12-31";
            return null;
        }

        return at;
    }

    public string FileName =>
        $"tollgate-{Spec.Name}-{(From == DateTimeOffset.MinValue ? "beginning" : $"{From:yyyyMMdd}")}-{To:yyyyMMdd}.{(Format == ExportFormat.Csv ? "csv" : "ndjson")}";
}
