using System.Data.Common;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Periods;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Billing;

/// <summary>
/// The late_usage lines of a renewal: each closed window that late events changed (late_usage_windows) and that an earlier
/// invoice billed is re-rated by <see cref="LateUsage.Rerate"/>. Issuing the invoice sets the window's overage_billed to
/// what is billed now and removes its row, in the invoice's own transaction (one renewal per subscription revision), so
/// a re-rating is added once. A row is removed only at the seq read: an event that changed the window meanwhile leaves it
/// for the next invoice. A window that ends in the period invoiced now is left for the next invoice too: its overage
/// lines bill it, and a late event committing while they were read is caught by the re-rating then (no change, no line).
/// </summary>
internal static class LateUsageBilling
{
    public static async Task<IReadOnlyList<InvoiceLine>> LinesAsync(
        DbConnection c, DbTransaction tx, Subscription subscription, PlanVersion endedVersion, Func<string, ValueTask<PlanVersion?>> versionOf,
        IReadOnlyList<Feature> features, BillingPeriod ended, bool mark, CancellationToken cancellationToken)
    {
        var (customer, subscribedAt) = (subscription.CustomerId, subscription.BillsUsageFrom);
        var pending = (await c.QueryAsync<(string Feature, long Start, long End, long Seq)>(new CommandDefinition("""
            SELECT feature_code, window_start, window_end, seq FROM late_usage_windows
            WHERE customer_id = @customer AND window_end <= @invoiced ORDER BY window_start, feature_code
            """, new { customer, invoiced = ended.Start.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken))).ToList();
        var lines = new List<InvoiceLine>();
        foreach (var (feature, start, end, seq) in pending)
        {
            // A window that ended before the subscription began, or inside its trial (which bills nothing, overage included),
            // was never invoiced by it.
            var row = end > Math.Max(subscribedAt.ToUnixTimeMilliseconds(), subscription.TrialEndAt?.ToUnixTimeMilliseconds() ?? 0) ? await c.QuerySingleOrDefaultAsync<CounterRow>(new CommandDefinition("""
                SELECT customer_id, feature_code, period_start, period_end, used, reserved, carried_in, overage_billed, billed_quota FROM usage_counters
                WHERE customer_id = @customer AND feature_code = @feature AND period_start = @start
                """, new { customer, feature, start }, tx, cancellationToken: cancellationToken)) : null;
            // Re-rated on the plan version that billed the window, the one in force when it closed, not today's.
            var version = row is null ? endedVersion : await VersionAtAsync(c, tx, subscription.Id, end, cancellationToken) is { } at && at != endedVersion.Id
                ? await versionOf(at) ?? endedVersion : endedVersion;
            // Against the quota it was billed past: seats added or removed since do not re-rate a closed window.
            var (line, billed) = row is null ? (null, 0)
                : LateUsage.Rerate(subscription.OverageTermsBilled(version, feature, row.BilledQuota), features, row.ToOverageWindow(), row.Window);
            if (line is not null)
            {
                lines.Add(line);
            }

            if (!mark)
            {
                continue;
            }

            if (row is not null && billed != row.OverageBilled)
            {
                await c.ExecuteAsync(new CommandDefinition("""
                    UPDATE usage_counters SET overage_billed = @billed WHERE customer_id = @customer AND feature_code = @feature AND period_start = @start
                    """, new { billed, customer, feature, start }, tx, cancellationToken: cancellationToken));
            }

            await c.ExecuteAsync(new CommandDefinition("""
                DELETE FROM late_usage_windows WHERE customer_id = @customer AND feature_code = @feature AND window_start = @start AND seq = @seq
                """, new { customer, feature, start, seq }, tx, cancellationToken: cancellationToken));
        }

        return lines;
    }

    // The subscription's plan version just before the window closed: its last recorded state before that instant.
    private static Task<string?> VersionAtAsync(DbConnection c, DbTransaction tx, string subscription, long end, CancellationToken cancellationToken) =>
        c.QueryFirstOrDefaultAsync<string?>(new CommandDefinition("""
            SELECT plan_version_id FROM subscription_events WHERE subscription_id = @subscription AND at < @end ORDER BY at DESC, sequence DESC
            """, new { subscription, end }, tx, cancellationToken: cancellationToken));
}
