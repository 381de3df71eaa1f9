namespace Tollgate.Testing;

/// <summary>Small catalogs built for one rule each, so a test reads its limits at a glance.</summary>
public static class Catalogs
{
    /// <summary>
    /// Plans "free" (default) and "pro": capped (hard, 100 / 1000), soft (10 at 5 cents), rolling (10 / 10, rollover),
    /// gate (boolean: free off, pro on), seats (value: 1 / 5) and tracked (metered, 5 / unlimited).
    /// </summary>
    public const string Rules = """
        {
          "default_plan": "free",
          "features": [
            { "code": "capped", "name": "Capped", "unit": "calls", "kind": "metered" },
            { "code": "soft", "name": "Soft", "unit": "calls", "kind": "metered" },
            { "code": "rolling", "name": "Rolling", "unit": "credits", "kind": "metered" },
            { "code": "gate", "name": "Gate", "kind": "boolean" },
            { "code": "seats", "name": "Seats", "unit": "seats", "kind": "value" },
            { "code": "tracked", "name": "Tracked", "unit": "rows", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1,
              "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "capped", "monthly_quota": 100 },
                { "feature_code": "soft", "monthly_quota": 10, "hard_cap": false, "overage_unit_price_cents": 5 },
                { "feature_code": "rolling", "monthly_quota": 10, "rollover": true },
                { "feature_code": "gate", "enabled": false },
                { "feature_code": "seats", "value": 1 },
                { "feature_code": "tracked", "monthly_quota": 5 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2,
              "prices": [ { "billing_period": "monthly", "price_cents": 2000 }, { "billing_period": "yearly", "price_cents": 20000 } ],
              "features": [
                { "feature_code": "capped", "monthly_quota": 1000 },
                { "feature_code": "soft", "monthly_quota": 10, "hard_cap": false, "overage_unit_price_cents": 5 },
                { "feature_code": "rolling", "monthly_quota": 10, "rollover": true },
                { "feature_code": "gate", "enabled": true },
                { "feature_code": "seats", "value": 5 },
                { "feature_code": "tracked", "monthly_quota": null } ] }
          ]
        }
        """;

    /// <summary>
    /// Plans for billing: "free" (default), "basic" ($10/month with a 14-day trial, $100/year), "pro" ($30/month,
    /// $300/year; api_calls soft-capped at 1,000 with 1 cent per extra call), and Kill Bill's "silver" ($20) and "gold" ($30).
    /// </summary>
    public const string Billing = """
        {
          "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 100 } ] },
            { "code": "basic", "name": "Basic", "sort_order": 2,
              "prices": [ { "billing_period": "monthly", "price_cents": 1000, "trial_days": 14 }, { "billing_period": "yearly", "price_cents": 10000 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 3,
              "prices": [ { "billing_period": "monthly", "price_cents": 3000 }, { "billing_period": "yearly", "price_cents": 30000 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 1000, "hard_cap": false, "overage_unit_price_cents": 1 } ] },
            { "code": "silver", "name": "Silver", "sort_order": 4, "prices": [ { "billing_period": "monthly", "price_cents": 2000 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 1000 } ] },
            { "code": "gold", "name": "Gold", "sort_order": 5, "prices": [ { "billing_period": "monthly", "price_cents": 3000 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 5000 } ] }
          ]
        }
        """;

    /// <summary>
    /// Plans for LLM cost: "free" (default; a $0.01 LLM budget) and "pro" ($20/month; a $10 budget). "chat" uses the
    /// LLM; "export" does not.
    /// </summary>
    public const string Llm = """
        {
          "default_plan": "free",
          "features": [
            { "code": "chat", "name": "Chat", "unit": "messages", "kind": "metered", "uses_llm": true },
            { "code": "export", "name": "Export", "unit": "exports", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "llm_budget_usd": 0.01,
              "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "chat", "monthly_quota": 1000 }, { "feature_code": "export", "monthly_quota": 1000 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2, "llm_budget_usd": 10,
              "prices": [ { "billing_period": "monthly", "price_cents": 2000 } ],
              "features": [ { "feature_code": "chat", "monthly_quota": null }, { "feature_code": "export", "monthly_quota": null } ] }
          ]
        }
        """;

    /// <summary>
    /// Plans sold through Stripe: "free" (default), "basic" ($10/month with a 14-day trial, price_basic_monthly), "pro"
    /// ($30/month price_pro_monthly, $300/year price_pro_yearly) and "team" ($50/month, not linked to a Stripe price).
    /// </summary>
    public const string Payments = """
        {
          "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 100 } ] },
            { "code": "basic", "name": "Basic", "sort_order": 2,
              "prices": [ { "billing_period": "monthly", "price_cents": 1000, "trial_days": 14, "stripe_price_id": "price_basic_monthly" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 500 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 3,
              "prices": [ { "billing_period": "monthly", "price_cents": 3000, "stripe_price_id": "price_pro_monthly" },
                          { "billing_period": "yearly", "price_cents": 30000, "stripe_price_id": "price_pro_yearly" } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 1000 } ] },
            { "code": "team", "name": "Team", "sort_order": 4, "prices": [ { "billing_period": "monthly", "price_cents": 5000 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 5000 } ] }
          ]
        }
        """;

    /// <summary>
    /// Plans "free" (default) and "pro" ($20 a month): cv_generate 10 CVs with the default alert thresholds, messages
    /// 100 on a soft cap alerting at 50 % and 100 %, api 100 calls with the defaults.
    /// </summary>
    public const string Alerts = """
        {
          "default_plan": "free",
          "features": [
            { "code": "cv_generate", "name": "CV generation", "unit": "CVs", "kind": "metered" },
            { "code": "messages", "name": "Messages", "unit": "messages", "kind": "metered" },
            { "code": "api", "name": "API calls", "unit": "calls", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1,
              "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "cv_generate", "monthly_quota": 10 },
                { "feature_code": "messages", "monthly_quota": 100, "hard_cap": false, "alert_thresholds": [50, 100] },
                { "feature_code": "api", "monthly_quota": 100 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2,
              "prices": [ { "billing_period": "monthly", "price_cents": 2000 } ],
              "features": [
                { "feature_code": "cv_generate", "monthly_quota": 30 },
                { "feature_code": "messages", "monthly_quota": null },
                { "feature_code": "api", "monthly_quota": 1000 } ] }
          ]
        }
        """;
}
