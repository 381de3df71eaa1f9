using System.Net;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>The console's plan editor keeps every currency a plan is priced in, and edits each.</summary>
public sealed partial class ConsolePlanEditorTests
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "api", "name": "API", "kind": "boolean" } ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ], "features": [] },
            { "code": "pro", "name": "Pro", "prices": [ { "billing_period": "monthly", "price_cents": 2900 }, { "billing_period": "monthly", "price_cents": 2700, "currency": "EUR" },
                { "billing_period": "yearly", "price_cents": 29000 }, { "billing_period": "yearly", "price_cents": 27000, "currency": "EUR" },
                { "billing_period": "monthly", "price_cents": 4000, "currency": "JPY" }, { "billing_period": "yearly", "price_cents": 40000, "currency": "JPY" } ], "features": [] }
          ]
        }
        """;

    [Fact]
    public async Task SavingAPlanUnchangedKeepsItsOtherCurrenciesAndMakesNoVersionAndEachCurrencyIsEditable()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.CatalogOf("plan-editor", Catalog));
        using var browser = app.NewBrowser();
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative),
            new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();

        async Task<HttpResponseMessage> SaveAsync(params (string Field, string Value)[] changes)
        {
            var fields = Fields(await browser.PageAsync("/admin/catalog/plans/pro"));
            foreach (var (field, value) in changes)
            {
                fields[field] = value;
            }

            return await browser.PostAsync(new Uri("/admin/catalog/plans/pro", UriKind.Relative), new FormUrlEncodedContent(fields));
        }

        async Task<string[]> PricesAsync() =>
            [.. (await (await app.Admin.GetAsync("/v1/admin/catalog")).ReadAsync())["plans"]!.AsArray()
                .Single(p => p!["code"].Value<string>() == "pro")!["prices"]!.AsArray()
                .Select(p => $"{p!["billing_period"].Value<string>()} {p["price_cents"].Value<long>()} {p["currency"]?.GetValue<string>() ?? "USD"}")];

        var before = await PricesAsync();
        var unchanged = await SaveAsync();
        var afterUnchanged = await PricesAsync();
        var versions = (await (await app.Admin.GetAsync("/v1/admin/plans/pro/versions")).ReadAsync()).AsArray().Count;
        var edited = await SaveAsync(("price_monthly_EUR", "2500"));
        var removed = await SaveAsync(("price_monthly_JPY", ""), ("price_yearly_JPY", ""));

        Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode); // the redirect to the catalog, followed
        Assert.Equal(["monthly 2900 USD", "monthly 2700 EUR", "monthly 4000 JPY", "yearly 29000 USD", "yearly 27000 EUR", "yearly 40000 JPY"], before);
        Assert.Equal(before, afterUnchanged); // it was "monthly 2900 USD", "yearly 29000 USD" alone: EUR and JPY dropped
        Assert.Equal(1, versions);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(["monthly 2900 USD", "monthly 2500 EUR", "yearly 29000 USD", "yearly 27000 EUR"], await PricesAsync());
    }

    /// <summary>The form's fields as a browser would post them: its inputs' values, and checked boxes only.</summary>
    private static Dictionary<string, string> Fields(string page)
    {
        var fields = new Dictionary<string, string>();
        foreach (Match input in Input().Matches(page))
        {
            var attributes = Attribute().Matches(input.Groups[1].Value).ToDictionary(a => a.Groups[1].Value, a => WebUtility.HtmlDecode(a.Groups[2].Value));
            if (!attributes.TryGetValue("name", out var name) || (attributes.GetValueOrDefault("type") == "checkbox" && !Input().Match(input.Value).Value.Contains(" checked", StringComparison.Ordinal)))
            {
                continue;
            }

            fields[name] = attributes.GetValueOrDefault("value", "");
        }

        return fields;
    }

    [GeneratedRegex("<input([^>]*)>")]
    private static partial Regex Input();

    [GeneratedRegex("([a-z]+)=\"([^\"]*)\"")]
    private static partial Regex Attribute();
}
