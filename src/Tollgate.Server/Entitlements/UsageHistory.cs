using System.Globalization;
using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>Units used on one UTC day, by one customer or (with <see cref="Customers"/>) by everyone.</summary>
public sealed record DailyUsage(string Feature, DateOnly Day, long Quantity, long Customers);

/// <summary>One after-the-fact usage event as it was recorded.</summary>
public sealed record RecordedEvent(
    string Id, string CustomerId, string FeatureCode, long Amount, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt, string? PropertiesJson,
    string? MetadataJson = null, string Source = "event", string? MemberId = null);

/// <summary>What an event list is filtered by; From and To bound occurred_at, To exclusive; Member is the member who sent the event.</summary>
public sealed record EventFilter(
    string? Customer = null, string? Feature = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Member = null);

/// <summary>Usage over time: the daily rollup (written in the same transaction as the counters) and the raw event log.</summary>
public sealed class UsageHistory(TollgateDatabase database)
{
    // Ids never hold a space (they are checked), so this joins customer and id into one unique tie-breaker on both stores.
    private const string EventId = "customer_id || ' ' || id";

    /// <summary>The rollup's rows from <paramref name="first"/> to <paramref name="last"/> (both included), of one customer or summed over all.</summary>
    public Task<IReadOnlyList<DailyUsage>> DailyAsync(
        string? customer, string? feature, DateOnly first, DateOnly last, CancellationToken cancellationToken = default)
    {
        var where = "day >= @first AND day <= @last" + (customer is null ? "" : " AND customer_id = @customer") + (feature is null ? "" : " AND feature_code = @feature");
        // A customer has one row per feature and day (the primary key), so its rows counted are its customers: no
        // DISTINCT, which sorted every row of the range (a trial's 437,000 took 0.6 s).
        var sql = $"""
            SELECT feature_code AS Feature, day AS Day, CAST(SUM(quantity) AS BIGINT) AS Quantity, CAST(COUNT(*) AS BIGINT) AS Customers
            FROM usage_daily WHERE {where} GROUP BY feature_code, day ORDER BY feature_code, day
            """;
        var parameters = new { customer, feature, first = Text(first), last = Text(last) };
        return database.ReadAsync<IReadOnlyList<DailyUsage>>(async c => [.. (await c.QueryAsync<(string Feature, string Day, long Quantity, long Customers)>(
                new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)))
            .Select(r => new DailyUsage(r.Feature, DateOnly.ParseExact(r.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), r.Quantity, r.Customers))],
            cancellationToken);
    }

    /// <summary>Events newest first (by when they occurred), a page at a time.</summary>
    public Task<Page<RecordedEvent>> EventsAsync(EventFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        const string id = EventId;
        var parameters = new DynamicParameters(new { filter.Customer, filter.Feature, filter.Member, from = filter.From?.ToUnixTimeMilliseconds(), to = filter.To?.ToUnixTimeMilliseconds() });
        Keyset.Bind(parameters, page);
        var where = new List<string> { Keyset.After(page, "occurred_at", id, descending: true) };
        where.AddRange(new[]
        {
            filter.Customer is null ? null : "customer_id = @Customer", filter.Feature is null ? null : "feature_code = @Feature",
            filter.From is null ? null : "occurred_at >= @from", filter.To is null ? null : "occurred_at < @to",
            filter.Member is null ? null : "member_id = @Member",
        }.OfType<string>());
        var sql = $"""
            SELECT customer_id, id, feature_code, amount, occurred_at, received_at, properties_json, metadata_json, source, member_id FROM usage_events
            WHERE {string.Join(" AND ", where)} {Keyset.OrderBy("occurred_at", id, descending: true)} LIMIT @page_limit
            """;
        return database.ReadAsync(async c => Keyset.Cut((await c.QueryAsync<EventRow>(new CommandDefinition(sql, parameters,
                cancellationToken: cancellationToken))).ToList(), page, r => new Cursor(r.OccurredAt, r.CustomerId + " " + r.Id))
            .Select(r => new RecordedEvent(r.Id, r.CustomerId, r.FeatureCode, r.Amount, DateTimeOffset.FromUnixTimeMilliseconds(r.OccurredAt),
                DateTimeOffset.FromUnixTimeMilliseconds(r.ReceivedAt), r.PropertiesJson, r.MetadataJson, r.Source, r.MemberId)), cancellationToken);
    }

    public static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed class EventRow
    {
        public string CustomerId { get; set; } = "";
        public string Id { get; set; } = "";
        public string FeatureCode { get; set; } = "";
        public long Amount { get; set; }
        public long OccurredAt { get; set; }
        public long ReceivedAt { get; set; }
        public string? PropertiesJson { get; set; }
        public string? MetadataJson { get; set; }
        public string Source { get; set; } = "event";
        public string? MemberId { get; set; }
    }
}
