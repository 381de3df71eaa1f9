using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Taxes;

/// <summary>The tax suites' catalog (one plan per worked example's price and currency) and the calls they repeat.</summary>
internal static class TaxesSetup
{
    public const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 100 } ] },
            { "code": "basic", "name": "Basic", "sort_order": 2, "prices": [ { "billing_period": "monthly", "price_cents": 2999 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] },
            { "code": "basic_eur", "name": "Basic (EUR)", "sort_order": 3, "prices": [ { "billing_period": "monthly", "price_cents": 2999, "currency": "EUR" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] },
            { "code": "team", "name": "Team", "sort_order": 4, "prices": [ { "billing_period": "monthly", "price_cents": 10000 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 5000 } ] },
            { "code": "team_eur", "name": "Team (EUR)", "sort_order": 5, "prices": [ { "billing_period": "monthly", "price_cents": 10000, "currency": "EUR" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 5000 } ] },
            { "code": "starter_gbp", "name": "Starter (GBP)", "sort_order": 6, "prices": [ { "billing_period": "monthly", "price_cents": 1000, "currency": "GBP" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 200 } ] }
          ]
        }
        """;

    public static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public static Dictionary<string, string?> Settings() => ApiSetup.CatalogOf("taxes", Catalog);

    public static async Task<JsonNode> TaxRateAsync(this TollgateApp app, object body)
    {
        var response = await app.Admin.PostJsonAsync("/v1/admin/tax-rates", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync();
    }

    public static async Task CustomerInAsync(this TollgateApp app, string id, string country, string? state = null, string taxExempt = "none",
        string[]? taxRates = null)
    {
        var response = await app.Admin.PutJsonAsync($"/v1/customers/{id}", new
        {
            email = $"{id}@example.com", name = $"Customer {id}", address = new { line1 = "1 Main Street", city = "Town", state, country },
            tax_exempt = taxExempt, tax_rates = taxRates,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The customer's first invoice, issued when the subscription starts.</summary>
    public static async Task<JsonNode> FirstInvoiceAsync(this TollgateApp app, string customer, string plan, string? coupon = null)
    {
        var response = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer, plan, coupon });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await app.InvoicesAsync(customer))[0];
    }

    public static (long Subtotal, long Discount, long Tax, long Total, long Due) Totals(this JsonNode invoice) =>
        (invoice["subtotal_cents"].Value<long>(), invoice["discount_cents"].Value<long>(), invoice["tax_cents"].Value<long>(),
            invoice["total_cents"].Value<long>(), invoice["amount_due_cents"].Value<long>());
}
