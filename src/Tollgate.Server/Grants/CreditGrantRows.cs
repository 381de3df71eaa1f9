using System.Data.Common;
using Dapper;
using Tollgate.Core.Grants;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Grants;

/// <summary>The credit_grants row shape and the reads the hot path and the store share.</summary>
internal static class CreditGrantRows
{
    public const string Columns = "id, customer_id, feature_code, amount, used, expires_at, priority, reason, pack_code, created_at, voided_at";

    /// <summary>The order of use, in SQL: priority, earliest expiry (none last), oldest.</summary>
    public const string OrderOfUse = "priority, CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, created_at, id";

    /// <summary>The grants a consume may take from now, in order of use; locked on PostgreSQL so concurrent nodes draw one at a time.</summary>
    public static async Task<IReadOnlyList<CreditGrant>> ActiveAsync(SqlScope scope, SqlDialect dialect, string customer, string feature, long nowMs) =>
        [.. (await scope.Connection.QueryAsync<Row>(scope.Command($"""
            SELECT {Columns} FROM credit_grants
            WHERE customer_id = @customer AND feature_code = @feature AND voided_at IS NULL
              AND (expires_at IS NULL OR expires_at > @nowMs) AND used < amount
            ORDER BY {OrderOfUse} {dialect.ForUpdate}
            """, new { customer, feature, nowMs }))).Select(r => r.ToGrant())];

    /// <summary>What the customer's grants have left now, per feature.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> RemainingAsync(
        DbConnection connection, DbTransaction? transaction, string customer, long nowMs, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string Feature, long Remaining)>(new CommandDefinition("""
            SELECT feature_code, CAST(SUM(amount - used) AS BIGINT) FROM credit_grants
            WHERE customer_id = @customer AND voided_at IS NULL AND (expires_at IS NULL OR expires_at > @nowMs)
            GROUP BY feature_code
            """, new { customer, nowMs }, transaction, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Feature, r => r.Remaining, StringComparer.Ordinal);
    }

    internal sealed class Row
    {
        public string Id { get; set; } = "";
        public string CustomerId { get; set; } = "";
        public string FeatureCode { get; set; } = "";
        public long Amount { get; set; }
        public long Used { get; set; }
        public long? ExpiresAt { get; set; }
        public long Priority { get; set; }
        public string? Reason { get; set; }
        public string? PackCode { get; set; }
        public long CreatedAt { get; set; }
        public long? VoidedAt { get; set; }

        public CreditGrant ToGrant() => new(Id, CustomerId, FeatureCode, Amount, Used, At(ExpiresAt), (int)Priority, Reason, PackCode,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), At(VoidedAt));

        private static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
    }
}
