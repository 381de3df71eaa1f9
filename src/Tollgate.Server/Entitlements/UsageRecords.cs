using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

// What a consume writes besides its counter: the event row when it carried metadata, and its share of the daily rollup.

/// <summary>
/// The usage-event row a consume or a committed reservation writes when it carried metadata, so GET /v1/events, the
/// events export and customer deletion see it like a tracked event. Without metadata nothing is written: the counter
/// and the daily rollup already hold the amount, and the hot path stays one statement.
/// </summary>
internal static class UsageRecords
{
    public const string Consume = "consume";
    public const string Reservation = "reservation";

    /// <summary>
    /// Writes the record in the caller's transaction; <paramref name="id"/> is new (a consume) or the reservation's id, and
    /// <paramref name="memberId"/> the member who sent it (null for the organisation itself).
    /// </summary>
    public static Task InsertAsync(
        BatchScope scope, string source, string id, string customerId, string? memberId, string featureCode, long amount, string metadataJson) =>
        scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO usage_events (customer_id, id, feature_code, amount, occurred_at, received_at, properties_json, metadata_json, source, member_id)
            VALUES (@customerId, @id, @featureCode, @amount, @now, @now, NULL, @metadataJson, @source, @memberId)
            ON CONFLICT DO NOTHING
            """, new { customerId, id, featureCode, amount, now = scope.NowMs, metadataJson, source, memberId }));
}

/// <summary>Units granted in a batch, per customer, feature and UTC day, added to the daily rollup once per batch.</summary>
internal sealed class DailyUsageRollup : IBatchAggregate
{
    private static readonly RowUpsert AddDaily = new("usage_daily", ["customer_id", "feature_code", "day"], ["quantity"]);
    private readonly Dictionary<(string Customer, string Feature, string Day), long> _daily = [];
    private (DateTimeOffset At, string Day)? _today;

    public void Add(string customer, string feature, DateTimeOffset at, long quantity)
    {
        if (quantity == 0)
        {
            return;
        }

        // Most units land on the batch's own day; its key is formatted once per batch.
        string day;
        if (_today is { } today && today.At == at)
        {
            day = today.Day;
        }
        else
        {
            day = at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            _today = (at, day);
        }

        var key = (customer, feature, day);
        _daily[key] = _daily.GetValueOrDefault(key) + quantity;
    }

    // Nothing in the batch reads the rollup: on PostgreSQL its upsert goes with the batch's COMMIT.
    public bool WritesAtCommit => true;

    public Task FlushAsync(BatchScope scope) =>
        AddDaily.WriteAsync(scope, _daily.Select(d => new object?[] { d.Key.Customer, d.Key.Feature, d.Key.Day, d.Value }));
}

/// <summary>The daily rollup as the operations of a batch add to it.</summary>
public static class DailyUsageBatch
{
    public static void AddDailyUsage(this BatchScope scope, string customer, string feature, DateTimeOffset at, long quantity) =>
        scope.Aggregate<DailyUsageRollup>().Add(customer, feature, at, quantity);
}
