using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Discounts;

/// <summary>The discounts suites' catalog and the calls they repeat.</summary>
internal static class DiscountsSetup
{
    /// <summary>"basic" at $29.99 a month and "premium" at $59.99, no trials.</summary>
    public const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 100 } ] },
            { "code": "basic", "name": "Basic", "sort_order": 2, "prices": [ { "billing_period": "monthly", "price_cents": 2999 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] },
            { "code": "premium", "name": "Premium", "sort_order": 3, "prices": [ { "billing_period": "monthly", "price_cents": 5999 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 5000 } ] }
          ]
        }
        """;

    public static Dictionary<string, string?> Settings() => ApiSetup.CatalogOf("discounts", Catalog);

    public static DateTimeOffset Utc(int y, int m, int d) => new(y, m, d, 0, 0, 0, TimeSpan.Zero);

    public static async Task<JsonNode> CouponAsync(this TollgateApp app, object body)
    {
        var response = await app.Admin.PostJsonAsync("/v1/admin/coupons", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync();
    }

    public static async Task<JsonNode> CodeAsync(this TollgateApp app, object body)
    {
        var response = await app.Admin.PostJsonAsync("/v1/admin/promotion-codes", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync();
    }

    public static Task<HttpResponseMessage> SubscribeWithAsync(this TollgateApp app, string customer, string plan, string? code = null, string? coupon = null) =>
        app.Admin.PostJsonAsync("/v1/subscriptions",
            new { customer, plan, collection_method = "charge_automatically", promotion_code = code, coupon });

    /// <summary>Each invoice as (subtotal, discount, amount due), oldest first.</summary>
    public static async Task<List<(long Subtotal, long Discount, long Due)>> TotalsAsync(this TollgateApp app, string customer) =>
        [.. (await app.InvoicesAsync(customer)).Select(i =>
            (i["subtotal_cents"].Value<long>(), i["discount_cents"].Value<long>(), i["amount_due_cents"].Value<long>()))];
}
