using Dapper;
using Tollgate.Core.Experiments;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Experiments;

/// <summary>
/// Exposures and conversions, each recorded once per (experiment, visitor) by its primary key: concurrent requests and
/// other nodes insert with ON CONFLICT DO NOTHING, so the first one counts and the rest are no-ops.
/// </summary>
public sealed class ExperimentTallies(TollgateDatabase database, TimeProvider time)
{
    /// <summary>Records that the visitor saw the variant; true for the first time only.</summary>
    public async Task<bool> ExposeAsync(string experimentId, string visitorId, string variant, CancellationToken cancellationToken = default) =>
        await database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO experiment_exposures (experiment_id, visitor_id, variant, exposed_at) VALUES (@experimentId, @visitorId, @variant, @now)
            ON CONFLICT (experiment_id, visitor_id) DO NOTHING
            """, new { experimentId, visitorId, variant, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx,
            cancellationToken: cancellationToken)), cancellationToken) > 0;

    /// <summary>The variant the visitor was exposed to, or null when they never saw the experiment.</summary>
    public Task<string?> ExposureAsync(string experimentId, string visitorId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT variant FROM experiment_exposures WHERE experiment_id = @experimentId AND visitor_id = @visitorId",
            new { experimentId, visitorId }, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Attributes a subscription to the visitor's variant; true for the visitor's first conversion only.</summary>
    public async Task<bool> ConvertAsync(
        string experimentId, string visitorId, string variant, string subscriptionId, string customerId, long mrrTwelfths,
        CancellationToken cancellationToken = default) =>
        await database.WriteAsync((c, tx) => ConvertInAsync(c, tx, new Conversion(experimentId, visitorId, variant, subscriptionId, customerId,
            mrrTwelfths), time.GetUtcNow(), cancellationToken), cancellationToken);

    /// <summary>The conversion, inside the caller's transaction (a Stripe event's); true for the visitor's first only.</summary>
    internal static async Task<bool> ConvertInAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Conversion conversion, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO experiment_conversions (experiment_id, visitor_id, variant, subscription_id, customer_id, mrr_twelfths, converted_at)
            VALUES (@ExperimentId, @VisitorId, @Variant, @SubscriptionId, @CustomerId, @MrrTwelfths, @now)
            ON CONFLICT (experiment_id, visitor_id) DO NOTHING
            """, new { conversion.ExperimentId, conversion.VisitorId, conversion.Variant, conversion.SubscriptionId, conversion.CustomerId,
            conversion.MrrTwelfths, now = now.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken)) > 0;

    /// <summary>Distinct visitors, conversions and converted MRR per variant.</summary>
    public Task<IReadOnlyList<VariantCounts>> CountsAsync(string experimentId, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<VariantCounts>>(async c => [.. (await c.QueryAsync<CountRow>(new CommandDefinition("""
            SELECT x.variant, COUNT(*) AS visitors, COUNT(v.visitor_id) AS conversions, COALESCE(SUM(v.mrr_twelfths), 0) AS mrr_twelfths
            FROM experiment_exposures x
            LEFT JOIN experiment_conversions v ON v.experiment_id = x.experiment_id AND v.visitor_id = x.visitor_id
            WHERE x.experiment_id = @experimentId
            GROUP BY x.variant
            """, new { experimentId }, cancellationToken: cancellationToken)))
            .Select(r => new VariantCounts(r.Variant, r.Visitors, r.Conversions, r.MrrTwelfths))], cancellationToken);

    private sealed class CountRow
    {
        public string Variant { get; set; } = "";
        public long Visitors { get; set; }
        public long Conversions { get; set; }
        public long MrrTwelfths { get; set; }
    }

    internal sealed record Conversion(string ExperimentId, string VisitorId, string Variant, string SubscriptionId, string CustomerId, long MrrTwelfths);
}
