using System.Data.Common;
using System.Globalization;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Billing;

/// <summary>
/// Soft-cap overage read from the counter rows and marked as invoiced in the invoice's own transaction, so a window that
/// two invoices reach (closed at a re-anchoring change, then ending inside the new period) is billed once. A lifetime
/// (<c>never</c>) window never ends, so each invoice that closes a period bills what it counted past its limit since the last.
/// </summary>
internal static class OverageBilling
{
    /// <summary>Counter rows marked per statement: well under SQLite's 32,766 parameters.</summary>
    private const int MarkBatch = 500;

    /// <summary>
    /// The overage of the windows that ended inside <paramref name="period"/> (overage is billed with the period its
    /// window ends in), and the lifetime windows' overage not billed yet, in arrears as a metered price is.
    /// </summary>
    public static Task<IReadOnlyList<InvoiceLine>> EndingInAsync(
        DbConnection c, DbTransaction tx, string customer, PlanVersion version, IReadOnlyList<Feature> features, BillingPeriod period,
        CancellationToken cancellationToken, bool mark = true, IReadOnlyList<BillableMetric>? metrics = null) =>
        BillAsync(c, tx, version, features, period, "((period_end > @start AND period_end <= @end) OR period_end >= @never)",
            new { customer, start = Ms(period.Start), end = Ms(period.End), never = Ms(QuotaWindow.NeverEnds) }, mark, cancellationToken, metrics);

    /// <summary>
    /// The overage counted up to <paramref name="at"/> in every window of <paramref name="period"/>, when the subscription's
    /// period ends there (a change that re-anchors it, a cancel): windows that ended in it and every window still open
    /// (a day, a year, a lifetime), as Stripe invoices usage up to a billing-cycle reset. A window that goes on is billed
    /// later only for what it adds. With <paramref name="mark"/> false (a preview) nothing is written.
    /// <paramref name="closedNow"/> says the period is cut short at <paramref name="at"/> by this operation (a cancel, a
    /// change, a deletion): usage counted at that very instant came before it and is billed, even in a window that opened
    /// then (a subscription cancelled the instant it started). At a period's natural end, a window opening at
    /// <paramref name="at"/> belongs to the next period.
    /// </summary>
    public static Task<IReadOnlyList<InvoiceLine>> UpToAsync(
        DbConnection c, DbTransaction tx, string customer, PlanVersion version, IReadOnlyList<Feature> features, BillingPeriod period,
        DateTimeOffset at, bool mark, CancellationToken cancellationToken, bool closedNow = true, IReadOnlyList<BillableMetric>? metrics = null) =>
        BillAsync(c, tx, version, features, new BillingPeriod(period.Start, at),
            closedNow ? "period_end > @start AND period_start <= @at" : "period_end > @start AND period_start < @at",
            new { customer, start = Ms(period.Start), at = Ms(at) }, mark, cancellationToken, metrics);

    /// <summary>
    /// Marks what <see cref="UpToAsync"/> would bill of a period cut short at <paramref name="at"/> as billed, and bills
    /// nothing: a cancel that waives the usage (Stripe's invoice_now false). Only units are counted, never an amount, so
    /// usage whose amount no invoice can hold can be waived; and no later invoice (a lifetime window's) bills it.
    /// </summary>
    public static Task WaiveUpToAsync(
        DbConnection c, DbTransaction tx, string customer, PlanVersion version, BillingPeriod period, DateTimeOffset at,
        CancellationToken cancellationToken, IReadOnlyList<BillableMetric>? metrics = null) =>
        BillAsync(c, tx, version, [], new BillingPeriod(period.Start, at), "period_end > @start AND period_start <= @at",
            new { customer, start = Ms(period.Start), at = Ms(at) }, mark: true, cancellationToken, metrics, waive: true);

    /// <summary>
    /// The overage of an immediate plan change: every window of <paramref name="period"/> up to <paramref name="at"/> is
    /// billed on the old terms <paramref name="from"/> (its prices, its quota), as <see cref="UpToAsync"/> bills it. With
    /// <paramref name="mark"/>, each window is then settled up to the change for the new terms <paramref name="to"/>: its
    /// billed units become what it counts past the new plan's limit at the change. The new plan then bills only the usage
    /// after the change that passes its limit: never the old plan's usage again, and no less than the change leaves unbilled.
    /// </summary>
    public static async Task<IReadOnlyList<InvoiceLine>> UpToChangeAsync(
        DbConnection c, DbTransaction tx, string customer, PlanVersion from, PlanVersion to, IReadOnlyList<Feature> features, BillingPeriod period,
        DateTimeOffset at, bool mark, CancellationToken cancellationToken, IReadOnlyList<BillableMetric>? metrics = null)
    {
        var lines = await UpToAsync(c, tx, customer, from, features, period, at, mark: false, cancellationToken, metrics: metrics);
        if (!mark)
        {
            return lines;
        }

        var before = Overage.Billed(from).ToDictionary(g => g.FeatureCode, StringComparer.Ordinal);
        var after = Overage.Billed(to).ToDictionary(g => g.FeatureCode, StringComparer.Ordinal);
        await SettleAsync(c, tx, customer, from, "period_end > @start AND period_start <= @at", new { customer, start = Ms(period.Start), at = Ms(at) },
            row => after.TryGetValue(row.FeatureCode, out var next)
                ? (QuotaRules.Overage(QuotaRules.Limit(next, row.CarriedIn), row.ToState()), next.MonthlyQuota ?? 0)
                : before.TryGetValue(row.FeatureCode, out var old)
                    ? (row.OverageBilled + Overage.Unbilled(old, row.ToOverageWindow()), old.MonthlyQuota ?? 0)
                    : (row.OverageBilled, row.BilledQuota ?? 0),
            metrics, cancellationToken);
        return lines;
    }

    /// <summary>
    /// Settles every window open at <paramref name="at"/> for <paramref name="terms"/>, when a subscription starts or a trial
    /// converts inside it (a day, a week, a calendar month or year, a lifetime): its billed units become what it counts past
    /// the terms' limit then, as a plan change settles (<see cref="UpToChangeAsync"/>). The plan bills only the use after
    /// <paramref name="at"/>: what came before, on the default plan or in the free trial, is never its overage.
    /// </summary>
    public static async Task SettleOpenAsync(DbConnection c, DbTransaction tx, string customer, PlanVersion terms, DateTimeOffset at,
        CancellationToken cancellationToken, IReadOnlyList<BillableMetric>? metrics = null)
    {
        var billed = Overage.Billed(terms).ToDictionary(g => g.FeatureCode, StringComparer.Ordinal);
        if (billed.Count == 0)
        {
            return; // nothing of these terms bills overage: nothing to settle
        }

        await SettleAsync(c, tx, customer, terms, "period_start < @at AND period_end > @at", new { customer, at = Ms(at) },
            row => billed.TryGetValue(row.FeatureCode, out var grant)
                ? (QuotaRules.Overage(QuotaRules.Limit(grant, row.CarriedIn), row.ToState()), grant.MonthlyQuota ?? 0)
                : null,
            metrics, cancellationToken);
    }

    /// <summary>
    /// Marks the customer's windows matching <paramref name="where"/> as invoiced up to what <paramref name="settle"/> says of
    /// each (its billed units and the quota they were billed against; null leaves the row as it is), and their groups'
    /// values for <paramref name="version"/>'s grouped metrics. A plan change and a subscription's start settle this way.
    /// </summary>
    private static async Task SettleAsync(DbConnection c, DbTransaction tx, string customer, PlanVersion version, string where, object parameters,
        Func<CounterRow, (long Units, long Quota)?> settle, IReadOnlyList<BillableMetric>? metrics, CancellationToken cancellationToken)
    {
        var rows = await c.QueryAsync<CounterRow>(new CommandDefinition($"""
            SELECT customer_id, feature_code, period_start, period_end, used, reserved, carried_in, overage_billed, billed_quota FROM usage_counters
            WHERE customer_id = @customer AND {where}
            """, parameters, tx, cancellationToken: cancellationToken));
        var settled = new List<(CounterRow Row, long Units, long Quota)>();
        foreach (var row in rows)
        {
            if (settle(row) is { } to && (to.Units != row.OverageBilled || to.Quota != row.BilledQuota))
            {
                settled.Add((row, to.Units, to.Quota));
            }
        }

        foreach (var batch in settled.Chunk(MarkBatch))
        {
            await MarkAsync(c, tx, customer, batch, cancellationToken, absolute: true);
        }

        if (metrics is { Count: > 0 })
        {
            await OverageGroups.MarkAsync(c, tx, version, metrics, settled.Select(s => s.Row), cancellationToken);
        }
    }

    private static async Task<IReadOnlyList<InvoiceLine>> BillAsync(
        DbConnection c, DbTransaction tx, PlanVersion version, IReadOnlyList<Feature> features, BillingPeriod linePeriod, string where,
        object parameters, bool mark, CancellationToken cancellationToken, IReadOnlyList<BillableMetric>? metrics, bool waive = false)
    {
        var rows = (await c.QueryAsync<CounterRow>(new CommandDefinition(
            $"SELECT customer_id, feature_code, period_start, period_end, used, reserved, carried_in, overage_billed FROM usage_counters WHERE customer_id = @customer AND {where}",
            parameters, tx, cancellationToken: cancellationToken))).ToList();
        var lines = waive ? [] : Overage.Lines(version, features, [.. rows.Select(w => w.ToOverageWindow())], linePeriod);
        if (metrics is { Count: > 0 } && lines.Count > 0)
        {
            lines = await OverageGroups.SplitAsync(c, tx, version, features, metrics, rows, lines, cancellationToken);
        }

        // Marked even without a line: units inside a package already billed are billed, though they start no new one.
        if (!mark)
        {
            return lines;
        }

        var billed = Overage.Billed(version).ToDictionary(g => g.FeatureCode, StringComparer.Ordinal);
        var marks = rows
            .Select(r => billed.TryGetValue(r.FeatureCode, out var grant)
                ? (Row: r, Units: Overage.Unbilled(grant, r.ToOverageWindow()), Quota: grant.MonthlyQuota ?? 0)
                : (Row: r, Units: 0L, Quota: 0L))
            .Where(m => m.Units > 0)
            .ToList();
        foreach (var batch in marks.Chunk(MarkBatch))
        {
            await MarkAsync(c, tx, batch[0].Row.CustomerId, batch, cancellationToken);
        }

        if (metrics is { Count: > 0 })
        {
            await OverageGroups.MarkAsync(c, tx, version, metrics, marks.Select(m => m.Row), cancellationToken);
        }

        return lines;
    }

    /// <summary>
    /// Adds each row's newly billed units to its overage_billed, and keeps the quota they were billed past, in one statement. UPDATE … FROM (VALUES …) is valid on
    /// SQLite (3.33+) and PostgreSQL alike, and both name a VALUES list's columns column1, column2, ….
    /// </summary>
    private static Task MarkAsync(
        DbConnection c, DbTransaction tx, string customer, (CounterRow Row, long Units, long Quota)[] batch, CancellationToken cancellationToken,
        bool absolute = false)
    {
        var parameters = new DynamicParameters();
        parameters.Add("customer", customer);
        var values = new List<string>(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            parameters.Add("f" + n, batch[i].Row.FeatureCode);
            parameters.Add("s" + n, batch[i].Row.PeriodStart);
            parameters.Add("u" + n, batch[i].Units);
            parameters.Add("q" + n, batch[i].Quota);
            values.Add($"(@f{n}, @s{n}, @u{n}, @q{n})");
        }

        // The quota billed past goes with the units, so a late re-rating counts against the seats of then (LateUsageBilling).
        return c.ExecuteAsync(new CommandDefinition($"""
            UPDATE usage_counters SET overage_billed = {(absolute ? "" : "overage_billed + ")}v.column3, billed_quota = v.column4
            FROM (VALUES {string.Join(", ", values)}) AS v
            WHERE usage_counters.customer_id = @customer AND usage_counters.feature_code = v.column1 AND usage_counters.period_start = v.column2
            """, parameters, tx, cancellationToken: cancellationToken));
    }

    private static long Ms(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();
}
