using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tollgate.Core.Catalog;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.OpenApi;

/// <summary>
/// The served document describes the catalog the parser reads, the problems and decisions the server sends and the headers
/// of consume and reserve, so a client generated from it accepts what the docs show.
/// </summary>
public sealed partial class OpenApiCatalogSchemaTests
{
    // Every field the parser (Core/Catalog) accepts, each with a value it accepts.
    private const string EveryField = """
        {
          "default_plan": "free", "upgrade_url": "/pricing", "rate_limit_feature": "api",
          "features": [
            { "code": "calls", "name": "Calls", "description": "d", "unit": "calls", "kind": "metered", "uses_llm": true },
            { "code": "tokens", "name": "Tokens", "unit": "tokens", "kind": "metered" },
            { "code": "api", "name": "API", "kind": "boolean" },
            { "code": "seats", "name": "Seats", "kind": "value" },
            { "code": "users", "name": "Active users", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [],
              "features": [ { "feature_code": "calls", "monthly_quota": 10, "hard_cap": true, "rollover": true } ] },
            { "code": "pro", "name": "Pro", "description": "d", "is_active": true, "sort_order": 2, "is_popular": true,
              "llm_budget_usd": 1.5, "visibility": "public",
              "prices": [
                { "billing_period": "monthly", "price_cents": 1000, "currency": "USD", "trial_days": 7, "stripe_price_id": "price_1",
                  "per_seat": true, "included_seats": 2, "max_seats": 10 } ],
              "features": [
                { "feature_code": "calls", "limit": 100, "reset": "day", "hard_cap": false, "overage_unit_price_cents": 1,
                  "alert_thresholds": [50, 100], "per_member_limit": 20, "per_seat": true, "rate_limit": { "limit": 5, "per": "second" } },
                { "feature_code": "tokens", "limit": 1000, "reset": "never", "hard_cap": false, "tiers_mode": "volume",
                  "overage_tiers": [ { "up_to": 10, "unit_price_cents": 1, "per_units": 1, "flat_cents": 0 }, { "up_to": "inf", "unit_price_cents": 0 } ],
                  "meter": { "llm": "total_tokens", "features": ["calls"], "providers": ["openai"] } },
                { "feature_code": "api", "enabled": true, "rate_limit": { "limit": 600, "per": "minute" } },
                { "feature_code": "seats", "value": 5 },
                { "feature_code": "users", "limit": 5, "metric": "active_users", "hard_cap": false, "overage_package": { "size": 10, "price_cents": 500 } }
              ] }
          ],
          "faq": [ { "question": "q", "answer": "a" } ],
          "notify": { "email": ["threshold", "invoice_paid"] },
          "packs": [ { "code": "p", "name": "Pack", "feature": "calls", "amount": 100, "price_cents": 500, "currency": "usd",
            "expires_after_days": 30, "stripe_price_id": "price_p" } ],
          "metrics": [
            { "code": "active_users", "name": "Active users", "event": "session", "aggregation": "unique_count", "property": "user",
              "filters": { "region": ["eu", "us"] }, "group_by": ["region"] } ]
        }
        """;

    [Fact]
    public async Task EveryExampleCatalogAndTheCatalogDocsExamplesValidateAgainstTheServedSchema()
    {
        var (check, schemas) = await ServedAsync();
        var catalogs = Directory.GetFiles(Path.Combine(Json.RepoRoot(), "catalogs"), "*.json")
            .Select(f => (Path.GetFileName(f), JsonNode.Parse(File.ReadAllText(f))));
        var doc = File.ReadAllText(Path.Combine(Json.RepoRoot(), "docs", "catalog.md"));
        var blocks = JsonBlock().Matches(doc).Select(m => m.Groups[1].Value).ToList();
        var tiered = JsonNode.Parse(blocks.Single(b => b.Contains("\"overage_tiers\"", StringComparison.Ordinal)));

        var errors = catalogs.Append(("docs/catalog.md", JsonNode.Parse(blocks[0])))
            .SelectMany(c => check.Errors(c.Item2, schemas["CatalogDocumentBody"]!).Select(e => $"{c.Item1} {e}"))
            .Concat(check.Errors(tiered, schemas["CatalogPlanFeatureBody"]!).Select(e => "docs/catalog.md tiers " + e))
            .ToList();

        Assert.True(Directory.GetFiles(Path.Combine(Json.RepoRoot(), "catalogs"), "*.json").Length >= 5);
        Assert.Contains("\"rate_limit_feature\"", blocks[0], StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ACatalogUsingEveryFieldTheParserAcceptsValidatesAgainstTheServedSchema()
    {
        var (check, schemas) = await ServedAsync();

        var parsed = CatalogDocument.Parse(EveryField);
        var errors = check.Errors(JsonNode.Parse(EveryField), schemas["CatalogDocumentBody"]!);

        Assert.Empty(parsed.Problems);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task TheServedSchemaRefusesATypoAndWordsTheParserRefuses()
    {
        var (check, schemas) = await ServedAsync();
        string[] bad =
        [
            """{ "feature_code": "a", "montly_quota": 3 }""",
            """{ "feature_code": "a", "limit": 3, "reset": "fortnight" }""",
            """{ "feature_code": "a", "rate_limit": { "limit": 5, "per": "day" } }""",
            """{ "feature_code": "a", "rate_limit": { "limit": 0, "per": "second" } }""",
            """{ "feature_code": "a", "limit": 3, "meter": { "llm": "words" } }""",
            """{ "feature_code": "a", "limit": 3, "hard_cap": false, "tiers_mode": "stepped", "overage_tiers": [ { "up_to": null } ] }""",
            """{ "feature_code": "a", "limit": 3, "hard_cap": false, "overage_tiers": [ { "up_to": "infinity" } ] }""",
        ];

        var refused = bad.Select(b => check.Errors(JsonNode.Parse(b), schemas["CatalogPlanFeatureBody"]!)).ToList();

        Assert.All(refused, errors => Assert.NotEmpty(errors));
        Assert.Contains("$.montly_quota: is not a property of the schema", refused[0]);
    }

    [Fact]
    public async Task DenialsDecisionsAndRateLimitHeadersAreDescribed()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.RulesCatalog());
        var document = await (await app.Anonymous.GetAsync("/openapi/v1.json")).ReadAsync();
        var schemas = document["components"]!["schemas"]!;

        var problem = schemas["Problem"]!["properties"]!.AsObject().Select(p => p.Key).ToList();
        var reasons = schemas["EntitlementResponse"]!["properties"]!["reason"]!["enum"]!.AsArray().Select(r => r.Value<string>()).ToList();
        var limit = schemas["EntitlementResponse"]!["properties"]!["limit"]!["description"].Value<string>();

        Assert.Superset(new HashSet<string>(["reset_at", "window_start", "resets_at", "member", "customer", "granted_remaining", "retry_after"]),
            new HashSet<string>(problem));
        Assert.Superset(new HashSet<string?>(["rate_limited", "value", "quota_exceeded", "budget_exceeded", "credit_grant"]), new HashSet<string?>(reasons));
        Assert.Contains("quota window's limit", limit, StringComparison.Ordinal);
        foreach (var path in new[] { "/v1/entitlements/consume", "/v1/entitlements/reserve" })
        {
            var responses = document["paths"]![path]!["post"]!["responses"]!;
            Assert.Contains("rate_limited", responses["429"]!["description"].Value<string>(), StringComparison.Ordinal);
            Assert.Superset(new HashSet<string>(["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]),
                new HashSet<string>(responses["429"]!["headers"]!.AsObject().Select(h => h.Key)));
            Assert.Superset(new HashSet<string>(["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]),
                new HashSet<string>(responses["200"]!["headers"]!.AsObject().Select(h => h.Key)));
        }
    }

    private static async Task<(SchemaCheck Check, JsonNode Schemas)> ServedAsync()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.RulesCatalog());
        var document = await (await app.Anonymous.GetAsync("/openapi/v1.json")).ReadAsync();
        return (new SchemaCheck(document), document["components"]!["schemas"]!);
    }

    [GeneratedRegex("```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
