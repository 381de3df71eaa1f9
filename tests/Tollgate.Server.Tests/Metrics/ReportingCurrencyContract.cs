using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Metrics;

/// <summary>Reports in one currency: every other currency converted with the configured rates, or left out and named.</summary>
public abstract class ReportingCurrencyContract : ApiContract
{
    private static readonly DateTimeOffset Start = new(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The same plan in four currencies, one currency a plan: $10, €10, £10 and ¥1,500 a month.</summary>
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 100 } ] },
            { "code": "usd", "name": "Dollars", "sort_order": 2, "prices": [ { "billing_period": "monthly", "price_cents": 1000, "currency": "USD" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] },
            { "code": "eur", "name": "Euros", "sort_order": 3, "prices": [ { "billing_period": "monthly", "price_cents": 1000, "currency": "EUR" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] },
            { "code": "gbp", "name": "Pounds", "sort_order": 4, "prices": [ { "billing_period": "monthly", "price_cents": 1000, "currency": "GBP" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] },
            { "code": "jpy", "name": "Yen", "sort_order": 5, "prices": [ { "billing_period": "monthly", "price_cents": 1500, "currency": "JPY" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] }
          ]
        }
        """;

    private async Task<TollgateApp> FourCurrenciesAsync(params (string Key, string Value)[] reporting)
    {
        var settings = ApiSetup.CatalogOf("reporting", Catalog);
        foreach (var (key, value) in reporting)
        {
            settings["Tollgate:Reporting:" + key] = value;
        }

        var app = await StartAsync(settings, Start);
        foreach (var code in new[] { "usd", "eur", "gbp", "jpy" })
        {
            await app.CustomerAsync(code);
            await app.SubscribeAsync(code, code, trialDays: 0);
        }

        return app;
    }

    [Fact]
    public async Task MrrAddsEurAtItsRateExactlyAndNamesGbpWhichHasNone()
    {
        await using var app = await FourCurrenciesAsync(("Currency", "USD"), ("Rates:EUR", "1.08"), ("Rates:JPY", "0.0067"));

        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-01-01&to=2026-02-01")).ReadAsync();

        // $10.00 + €10 × 1.08 + ¥1,500 × 0.0067 = 10.00 + 10.80 + 10.05; £10 has no rate.
        Assert.Equal(30.85m, stats["mrr"].Value<decimal>());
        Assert.Equal(30.85m, stats["movements"]!["new"].Value<decimal>());
        Assert.Equal(3, stats["paying_customers"].Value<int>());
        Assert.Equal(10.28m, stats["arpa"].Value<decimal>()); // 30.85 ÷ 3, to the cent
        Assert.Equal("USD", stats["reporting_currency"].Value<string>());
        Assert.Equal("""{"EUR":"1.08","JPY":"0.0067"}""", stats["rates"]!.ToJsonString());
        Assert.Equal(["GBP"], stats["unconverted_currencies"]!.AsArray().Select(c => c.Value<string>()));
    }

    [Fact]
    public async Task RevenueAgainstCostConvertsEachCurrencysRevenueOnceAndSaysWhichRatesItUsed()
    {
        await using var app = await FourCurrenciesAsync(("Rates:EUR", "1.08"), ("Rates:JPY", "0.0067"));
        await app.AdvanceToAsync(Start.AddDays(30).AddHours(12));

        // The 31 days up to today hold each first month whole: 1,000 + 1,080 + 1,005 cents.
        var report = await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=31")).ReadAsync();

        Assert.Equal(30.85m, report["total_revenue_usd"].Value<decimal>());
        Assert.Equal("USD", report["reporting_currency"].Value<string>()); // Tollgate:Metrics:Currency's default, as before
        Assert.Equal("1.08", report["rates"]!["EUR"].Value<string>());
        Assert.Equal(["GBP"], report["unconverted_currencies"]!.AsArray().Select(c => c.Value<string>()));
    }

    [Fact]
    public async Task AYenReportingCurrencyHasNoMinorUnits()
    {
        await using var app = await FourCurrenciesAsync(("Currency", "JPY"), ("Rates:USD", "150"), ("Rates:EUR", "162.5"));

        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-01-01&to=2026-02-01")).ReadAsync();

        // $10.00 × 150 + €10.00 × 162.5 + ¥1,500 = ¥1,500 + ¥1,625 + ¥1,500.
        Assert.Equal(4625m, stats["mrr"].Value<decimal>());
        Assert.Equal("JPY", stats["currency"].Value<string>());
        Assert.Equal(["GBP"], stats["unconverted_currencies"]!.AsArray().Select(c => c.Value<string>()));
    }

    [Fact]
    public async Task TheOlderMetricsCurrencyStillChoosesTheReportingCurrencyWhenReportingCurrencyIsUnset()
    {
        var settings = ApiSetup.CatalogOf("reporting", Catalog);
        settings["Tollgate:Metrics:Currency"] = "EUR";
        settings["Tollgate:Reporting:Rates:USD"] = "0.9";
        await using var euro = await StartAsync(settings, Start);
        await euro.CustomerAsync("us");
        await euro.SubscribeAsync("us", "usd", trialDays: 0);
        await euro.CustomerAsync("eu");
        await euro.SubscribeAsync("eu", "eur", trialDays: 0);

        var stats = await (await euro.Admin.GetAsync("/v1/admin/stats/saas?from=2026-01-01&to=2026-02-01")).ReadAsync();

        // €10.00 + $10.00 × 0.9 = €19.00.
        Assert.Equal(("EUR", 19m), (stats["reporting_currency"].Value<string>(), stats["mrr"].Value<decimal>()));
    }

    [Theory]
    [InlineData("Rates:EUR", "0", "Tollgate:Reporting:Rates:EUR")]
    [InlineData("Rates:EUR", "one", "Tollgate:Reporting:Rates:EUR")]
    [InlineData("Rates:EURO", "1.08", "Tollgate:Reporting:Rates:EURO")]
    [InlineData("Currency", "dollars", "Tollgate:Reporting:Currency")]
    public async Task ABadCodeOrRateRefusesToStartNamingTheSetting(string key, string value, string named)
    {
        var settings = ApiSetup.CatalogOf("reporting", Catalog);
        settings["Tollgate:Reporting:" + key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => await (await StartAsync(settings, Start)).DisposeAsync());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteReportingCurrencyTests : ReportingCurrencyContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresReportingCurrencyTests : ReportingCurrencyContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
