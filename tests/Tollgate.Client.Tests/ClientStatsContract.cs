using System.Net.Http.Headers;
using Tollgate.Client;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>The .NET client reads the reports with the currency fields the other SDKs read.</summary>
public abstract class ClientStatsContract
{
    private static readonly DateTimeOffset Start = new(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);

    protected abstract StoreKind Kind { get; }

    [Fact]
    public async Task ReportsSayTheirReportingCurrencyAndTheRatesTheyConvertedWith()
    {
        var settings = ApiSetup.BillingCatalog("Tollgate:Reporting:Rates:EUR", "1.08");
        await using var app = await TollgateApp.StartAsync(Kind, settings, Start, kestrel: true);
        await app.CustomerAsync("ada");
        await app.SubscribeAsync("ada", "basic", trialDays: 0);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        var client = new TollgateClient(http);

        var saas = await client.Stats.SaasAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), Start.AddDays(1));
        var revenue = await client.Stats.RevenueVsCostAsync(7);

        Assert.Equal((10m, "USD", "1.08"), (saas.Mrr, saas.ReportingCurrency, saas.Rates!["EUR"]));
        Assert.Empty(saas.UnconvertedCurrencies!);
        Assert.Equal((7, "USD"), (revenue.PeriodDays, revenue.ReportingCurrency));
    }
}

public sealed class SqliteClientStatsTests : ClientStatsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresClientStatsTests : ClientStatsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
