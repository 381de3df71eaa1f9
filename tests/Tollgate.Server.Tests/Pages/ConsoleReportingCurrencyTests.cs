using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>The console's dashboard says which rates its figures were converted with and which currencies it left out.</summary>
public sealed class ConsoleReportingCurrencyTests
{
    [Fact]
    public async Task TheDashboardNamesItsRatesAndACurrencyLeftOutForWantOfOne()
    {
        var settings = ApiSetup.CatalogOf("console-reporting", """
            {
              "default_plan": "free",
              "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
              "plans": [
                { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
                  "features": [ { "feature_code": "api_calls", "monthly_quota": 100 } ] },
                { "code": "eur", "name": "Euros", "sort_order": 2, "prices": [ { "billing_period": "monthly", "price_cents": 1000, "currency": "EUR" } ],
                  "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] },
                { "code": "gbp", "name": "Pounds", "sort_order": 3, "prices": [ { "billing_period": "monthly", "price_cents": 1000, "currency": "GBP" } ],
                  "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] }
              ]
            }
            """);
        settings["Tollgate:Reporting:Rates:EUR"] = "1.08";
        var start = new DateTimeOffset(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, settings, start);
        await app.CustomerAsync("eu");
        await app.SubscribeAsync("eu", "eur", trialDays: 0);
        await app.CustomerAsync("uk");
        await app.SubscribeAsync("uk", "gbp", trialDays: 0);
        await app.AdvanceToAsync(start.AddDays(1)); // MRR is read just before now: a subscription made at the same instant is not in it yet
        using var browser = app.NewBrowser();
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative),
            new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();

        var dashboard = await browser.GetStringAsync(new Uri("/admin", UriKind.Relative));

        Assert.Contains("In USD; converted at EUR 1.08. Not converted, no rate: GBP.", dashboard, StringComparison.Ordinal);
        Assert.Contains("data-kpi=\"mrr\">$10.80<", dashboard, StringComparison.Ordinal); // €10 × 1.08; £10 left out
    }
}
