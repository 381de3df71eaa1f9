using System.Data.Common;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;

namespace Tollgate.Storage.Billing;

/// <summary>
/// Soft-cap overage read from the counter rows and marked as invoiced in the invoice's own transaction, so a window that
/// two invoices reach (closed at a re-anchoring change, then ending inside the new period) is billed once.
/// </summary>
internal static class OverageBilling
{
    /// <summary>The overage of the windows that ended inside <paramref name="period"/>: overage is billed with the period its window ends in.</summary>
    public static Task<IReadOnlyList<InvoiceLine>> EndingInAsync(
        DbConnection c, DbTransaction tx, string customer, PlanVersion version, IReadOnlyList<Feature> features, BillingPeriod period,
        CancellationToken cancellationToken) =>
        BillAsync(c, tx, version, features, period, "period_end > @start AND period_end <= @end",
            new { customer, start = Ms(period.Start), end = Ms(period.End) }, mark: true, cancellationToken);

    /// <summary>
    /// The overage counted up to <paramref name="at"/> in the windows of <paramref name="period"/>, when the period ends
    /// early (a change that re-anchors it, an immediate cancel): windows that ended in it and windows still open, as
    /// Stripe invoices usage up to a billing-cycle reset. A window that goes on (a day window) is billed later only for
    /// what it adds. With <paramref name="mark"/> false (a preview) nothing is written.
    /// </summary>
    public static Task<IReadOnlyList<InvoiceLine>> UpToAsync(
        DbConnection c, DbTransaction tx, string customer, PlanVersion version, IReadOnlyList<Feature> features, BillingPeriod period,
        DateTimeOffset at, bool mark, CancellationToken cancellationToken) =>
        BillAsync(c, tx, version, features, new BillingPeriod(period.Start, at),
            "period_end > @start AND period_start <= @at AND period_end < @never",
            new { customer, start = Ms(period.Start), at = Ms(at), never = Ms(QuotaWindow.NeverEnds) }, mark, cancellationToken);

    private static async Task<IReadOnlyList<InvoiceLine>> BillAsync(
        DbConnection c, DbTransaction tx, PlanVersion version, IReadOnlyList<Feature> features, BillingPeriod linePeriod, string where,
        object parameters, bool mark, CancellationToken cancellationToken)
    {
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            $"SELECT customer_id, feature_code, period_start, used, reserved, carried_in, overage_billed FROM usage_counters WHERE customer_id = @customer AND {where}",
            parameters, tx, cancellationToken: cancellationToken));
        var windows = rows.ToList();
        var lines = Overage.Lines(version, features, [.. windows.Select(w => w.ToWindow())], linePeriod);
        if (!mark || lines.Count == 0)
        {
            return lines;
        }

        foreach (var grant in Overage.Billed(version))
        {
            foreach (var row in windows.Where(w => w.FeatureCode == grant.FeatureCode))
            {
                var units = Overage.Unbilled(grant, row.ToWindow());
                if (units > 0)
                {
                    await c.ExecuteAsync(new CommandDefinition("""
                        UPDATE usage_counters SET overage_billed = overage_billed + @units
                        WHERE customer_id = @customer AND feature_code = @feature AND period_start = @start
                        """, new { units, customer = row.CustomerId, feature = row.FeatureCode, start = row.PeriodStart }, tx,
                        cancellationToken: cancellationToken));
                }
            }
        }

        return lines;
    }

    private static long Ms(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    private sealed class Row
    {
        public string CustomerId { get; set; } = "";
        public string FeatureCode { get; set; } = "";
        public long PeriodStart { get; set; }
        public long Used { get; set; }
        public long Reserved { get; set; }
        public long CarriedIn { get; set; }
        public long OverageBilled { get; set; }

        public OverageWindow ToWindow() =>
            new(FeatureCode, DateTimeOffset.FromUnixTimeMilliseconds(PeriodStart), new CounterState(Used, Reserved, CarriedIn), OverageBilled);
    }
}
