using Tollgate.Contracts;

namespace Tollgate.Client;

/// <summary>
/// Reports (<c>/v1/admin/stats</c>, admin key), in one reporting currency: each says its <c>ReportingCurrency</c>, the
/// configured <c>Rates</c> it converted with and the <c>UnconvertedCurrencies</c> it left out for want of a rate.
/// </summary>
public sealed class StatsResource(TollgateClient client)
{
    /// <summary>MRR, its movements, churn, ARPA and LTV over [<paramref name="from"/>, <paramref name="to"/>): the last twelve months by default.</summary>
    public Task<SaasStatsResponse> SaasAsync(DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<SaasStatsResponse>(HttpMethod.Get,
            TollgatePaging.Path("v1/admin/stats/saas", ("from", from), ("to", to)), null, cancellationToken);

    /// <summary>Revenue against LLM cost over the last <paramref name="days"/> days (30 by default).</summary>
    public Task<RevenueVsCostResponse> RevenueVsCostAsync(int? days = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<RevenueVsCostResponse>(HttpMethod.Get, TollgatePaging.Path("v1/admin/stats/revenue-vs-cost", ("days", days)), null,
            cancellationToken);
}
