using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

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
