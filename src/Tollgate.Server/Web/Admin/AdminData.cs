using System.Globalization;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Server.Llm;
using Tollgate.Server.Metrics;
using Tollgate.Server.Alerts;
using Tollgate.Server.Billing;

namespace Tollgate.Server.Web.Admin;

/// <summary>What the console reads from: the same reports the stats API answers with, so both always agree.</summary>
public sealed class AdminData(
    AdminSession session, LlmStatsApi.Services stats, SubscriptionHistory history, IOptions<MetricsOptions> metrics, AlertStore alerts,
    IOptions<PagesOptions> pages, TimeProvider time)
{
    public AdminSession Session => session;
    public LlmStatsApi.Services Stats => stats;
    /// <summary>The name the console's title shows: the operator's product, or Tollgate's own (the console is the operator's, not a customer's).</summary>
    public string Product => pages.Value.Brand ?? "Tollgate";
    public TimeProvider Time => time;

    public Task<SaasStatsResponse> SaasAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return SaasStatsApi.ReadSaasAsync(SaasStatsApi.DefaultStart(now), now, history, stats.Revenue, metrics, stats.Reporting, cancellationToken);
    }

    /// <summary>The last <paramref name="days"/> days at this instant, for reports that read it together (one read of what they share).</summary>
    internal LlmStatsApi.WindowReads Window(int days, CancellationToken cancellationToken) => new(Window(days), stats, cancellationToken);

    internal Task<RevenueVsCostResponse> RevenueVsCostAsync(LlmStatsApi.WindowReads window, CancellationToken cancellationToken) =>
        LlmStatsApi.ReadRevenueVsCostAsync(window, stats, cancellationToken);

    internal Task<IReadOnlyList<PlanStats>> PlansAsync(LlmStatsApi.WindowReads window, CancellationToken cancellationToken) =>
        LlmStatsApi.ReadPlansAsync(window, stats, cancellationToken);

    internal Task<IReadOnlyList<CustomerMargin>> RankedAsync(LlmStatsApi.WindowReads window, bool byCost, CancellationToken cancellationToken) =>
        LlmStatsApi.ReadRankedAsync(window, 10, stats, byCost, cancellationToken);

    public Task<CustomerCostResponse?> CustomerCostsAsync(string customer, int days, CancellationToken cancellationToken) =>
        LlmStatsApi.ReadUserCostsAsync(customer, Window(days), stats, cancellationToken);

    private StatsWindow Window(int days) => StatsWindow.Ending(time.GetUtcNow(), days);

    /// <summary>Alerts fired per day over the last <paramref name="days"/> days, oldest first.</summary>
    public async Task<IReadOnlyList<(string Day, int Count)>> AlertsPerDayAsync(int days, CancellationToken cancellationToken)
    {
        var today = time.GetUtcNow().UtcDateTime.Date;
        var from = new DateTimeOffset(today.AddDays(1 - days), TimeSpan.Zero);
        var fired = await alerts.FiredSinceAsync(from, cancellationToken);
        return [.. Enumerable.Range(0, days).Select(i => from.AddDays(i)).Select(d =>
            (d.ToString("MMM d", CultureInfo.InvariantCulture), fired.Count(a => a >= d && a < d.AddDays(1))))];
    }
}
