using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>The console's plan picker never opens on a plan the customer did not choose: a stray click must not downgrade.</summary>
public sealed class ConsolePlanPickerTests
{
    [Fact]
    public async Task ThePickerOpensOnTheCurrentPlanOrOnNoPlanNeverOnFree()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite);
        await app.CustomerAsync("ada");
        await app.CustomerAsync("bob");
        await app.SubscribeAsync("bob", "pro");
        using var browser = app.NewBrowser();
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative),
            new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();

        var unsubscribed = await browser.GetStringAsync(new Uri("/admin/customers/ada", UriKind.Relative));
        var subscribed = await browser.GetStringAsync(new Uri("/admin/customers/bob", UriKind.Relative));

        Assert.Contains("<option value=\"\" selected disabled>Choose a plan…</option>", unsubscribed, StringComparison.Ordinal);
        Assert.Contains("<option value=\"pro:monthly\" selected>", subscribed, StringComparison.Ordinal);
        Assert.DoesNotContain("<option value=\"free:monthly\" selected>", subscribed, StringComparison.Ordinal);
    }
}

/// <summary>The console's plan picker prices each plan in the customer's currency, once per period.</summary>
public sealed class ConsolePlanPickerCurrencyTests
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "api", "name": "API", "kind": "boolean" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ], "features": [] },
            { "code": "pro", "name": "Pro", "prices": [ { "billing_period": "monthly", "price_cents": 2900 }, { "billing_period": "monthly", "price_cents": 2700, "currency": "EUR" },
                { "billing_period": "yearly", "price_cents": 29000 }, { "billing_period": "yearly", "price_cents": 27000, "currency": "EUR" } ], "features": [] },
            { "code": "team", "name": "Team", "prices": [ { "billing_period": "monthly", "price_cents": 1200, "per_seat": true } ], "features": [] }
          ]
        }
        """;

    [Fact]
    public async Task EachPlanAndPeriodIsOneOptionInTheCustomersCurrencyAndASeatPriceSaysPerSeat()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.CatalogOf("picker-currency", Catalog));
        await app.CustomerAsync("usd");
        await app.Admin.PutJsonAsync("/v1/customers/eur", new { currency = "EUR" });
        await app.SubscribeAsync("usd", "pro", "yearly");
        using var browser = app.NewBrowser();
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative),
            new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();

        var usd = await browser.GetStringAsync(new Uri("/admin/customers/usd", UriKind.Relative));
        var eur = await browser.GetStringAsync(new Uri("/admin/customers/eur", UriKind.Relative));

        // Every currency's price was an option of its own, both Pro yearly ones selected, so the USD customer read "€270.00 (current)".
        Assert.Contains("<option value=\"pro:yearly\" selected>Pro · $290.00 yearly (current)</option>", usd, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(usd, "value=\"pro:monthly\""));
        Assert.DoesNotContain("€", usd, StringComparison.Ordinal);
        Assert.Contains("Team · $12.00 per seat monthly", usd, StringComparison.Ordinal);
        Assert.Contains("Pro · €27.00 monthly", eur, StringComparison.Ordinal);
        Assert.DoesNotContain("Team ·", eur, StringComparison.Ordinal); // no EUR price: a change to it would be refused
    }
}
