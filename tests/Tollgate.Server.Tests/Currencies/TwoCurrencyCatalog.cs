namespace Tollgate.Server.Tests.Currencies;

/// <summary>Free (0 USD), Pro (USD and EUR, both linked to Stripe) and Team (USD only): the catalog of the currency edge suites.</summary>
internal static class TwoCurrencyCatalog
{
    public const string Json = """
        {
          "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0, "currency": "USD" } ],
              "features": [ { "feature_code": "api_calls", "limit": 100 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2, "prices": [
                { "billing_period": "monthly", "price_cents": 2900, "currency": "USD", "stripe_price_id": "price_pro_usd" },
                { "billing_period": "monthly", "price_cents": 2700, "currency": "EUR", "stripe_price_id": "price_pro_eur" } ],
              "features": [ { "feature_code": "api_calls", "limit": 1000 } ] },
            { "code": "team", "name": "Team", "sort_order": 3, "prices": [ { "billing_period": "monthly", "price_cents": 9900, "currency": "USD" } ],
              "features": [ { "feature_code": "api_calls", "limit": 10000 } ] }
          ]
        }
        """;
}
