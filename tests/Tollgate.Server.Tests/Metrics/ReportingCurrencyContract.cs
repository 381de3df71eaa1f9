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
        await app.AdvanceToAsync(JustBeforeTheMonthsEnd);

        // The 31 days up to now hold each first month whole but its last two minutes: 1,000 + 1,080 + 1,005 cents, to the cent.
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

    // Today's revenue counts up to now: just before the month's end, each month's revenue is whole to the cent (1,000 ×
    // 2,678,280/2,678,400 = 999.96). Two minutes before it, so a ticking clock's minute of slack stays inside the day.
    private static readonly DateTimeOffset JustBeforeTheMonthsEnd = Start.AddDays(31).AddMinutes(-2);

    /// <summary>A customer on €10 a month for the 31 days of the window, with one $2.50 LLM call (1M gpt-4o input tokens).</summary>
    private async Task<TollgateApp> EuroCustomerWithALlmCallAsync(string? usdRate)
    {
        var settings = ApiSetup.CatalogOf("reporting", Catalog);
        settings["Tollgate:Reporting:Currency"] = "EUR";
        if (usdRate is not null)
        {
            settings["Tollgate:Reporting:Rates:USD"] = usdRate;
        }

        var app = await StartAsync(settings, Start);
        await app.CustomerAsync("eu");
        await app.SubscribeAsync("eu", "eur", trialDays: 0);
        await app.AdvanceToAsync(JustBeforeTheMonthsEnd);
        (await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "eu", model = "gpt-4o", input_tokens = 1_000_000 })).EnsureSuccessStatusCode();
        return app;
    }

    [Fact]
    public async Task ProfitAndMarginTakeTheLlmCostAtUsdsRateInEveryReportAndKeepTheUsdFields()
    {
        await using var app = await EuroCustomerWithALlmCallAsync("0.92");

        var report = await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=31")).ReadAsync();
        var user = await (await app.Admin.GetAsync("/v1/admin/stats/user-costs/eu?days=31")).ReadAsync();
        var plan = (await (await app.Admin.GetAsync("/v1/admin/stats/plans?days=31")).ReadAsync()).AsArray().Single(p => p!["plan"].Value<string>() == "eur")!;
        var spender = (await (await app.Admin.GetAsync("/v1/admin/stats/top-spenders?days=31")).ReadAsync()).AsArray().Single()!;
        var today = report["daily_breakdown"]!.AsArray()[^1]!;

        // €10.00 of revenue less $2.50 × 0.92 = €2.30 of cost: €7.70, a 77 % margin (not 10.00 − 2.50).
        Assert.Equal((10.00m, 2.50m, 2.30m, 7.70m, 77.00m), (report["total_revenue_usd"].Value<decimal>(), report["total_llm_cost_usd"].Value<decimal>(),
            report["total_llm_cost"].Value<decimal>(), report["estimated_profit_usd"].Value<decimal>(), report["profit_margin_percent"].Value<decimal>()));
        Assert.Equal(("EUR", "0.92"), (report["reporting_currency"].Value<string>(), report["rates"]!["USD"].Value<string>()));
        Assert.Empty(report["unconverted_currencies"]!.AsArray());
        Assert.Equal((2.50m, 2.30m), (today["llm_cost_usd"].Value<decimal>(), today["llm_cost"].Value<decimal>()));
        Assert.Equal(today["revenue_usd"].Value<decimal>() - 2.30m, today["profit_usd"].Value<decimal>());
        Assert.Equal((2.30m, 7.70m, 77.00m), (user["total_llm_cost"].Value<decimal>(), user["margin_usd"].Value<decimal>(), user["margin_percent"].Value<decimal>()));
        Assert.Equal((2.50m, 2.30m, 7.70m, 77.00m), (plan["llm_cost_usd"].Value<decimal>(), plan["llm_cost"].Value<decimal>(), plan["margin_usd"].Value<decimal>(),
            plan["margin_percent"].Value<decimal>()));
        Assert.Equal((2.50m, 2.30m, 7.70m), (spender["llm_cost_usd"].Value<decimal>(), spender["llm_cost"].Value<decimal>(), spender["margin_usd"].Value<decimal>()));
    }

    [Fact]
    public async Task WithoutAUsdRateTheLlmCostIsLeftOutOfProfitAndUsdIsNamed()
    {
        await using var app = await EuroCustomerWithALlmCallAsync(usdRate: null);

        var report = await (await app.Admin.GetAsync("/v1/admin/stats/revenue-vs-cost?days=31")).ReadAsync();

        Assert.Equal((10.00m, 2.50m, 10.00m), (report["total_revenue_usd"].Value<decimal>(), report["total_llm_cost_usd"].Value<decimal>(),
            report["estimated_profit_usd"].Value<decimal>()));
        Assert.Null(report["total_llm_cost"]);
        Assert.Equal(["USD"], report["unconverted_currencies"]!.AsArray().Select(c => c.Value<string>()));
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

/// <summary>The same suite on a clock that ticks, as the real one does: the reports read "now" as it moves on.</summary>
public sealed class TickingClockReportingCurrencyTests : ReportingCurrencyContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
