using Microsoft.OpenApi;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// The one error body: RFC 9457 problem details plus Tollgate's machine-readable error, the field errors of a 400,
/// and the fields of a denial (see Hosting/Problems.cs and Entitlements/EntitlementMapper.cs).
/// </summary>
public static class ProblemSchema
{
    public const string Name = "Problem";

    public static OpenApiSchema Create() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An error, as application/problem+json (RFC 9457). Branch on `error`; show `detail` to a developer.",
        Required = new HashSet<string> { "type", "title", "status", "detail", "error" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = Text("A URI naming the error, such as https://tollgate.dev/errors/quota-exceeded.", "uri"),
            ["title"] = Text("A short summary of the status, such as \"Too many requests\"."),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status." },
            ["detail"] = Text("What went wrong, in a sentence for a developer."),
            ["instance"] = Nullable(Text("The request's path, when given.")),
            ["error"] = Text("The machine-readable code: validation_failed, not_found, missing_api_key, invalid_api_key, forbidden, "
                + "quota_exceeded, rate_limited, budget_exceeded, feature_not_in_plan, idempotency_mismatch, idempotency_key_in_use, "
                + "idempotency_answer_lost, payments_not_configured, "
                + "overloaded, event_too_late, …"),
            ["errors"] = new OpenApiSchema
            {
                Description = "For validation_failed and event_too_late, each bad field's path and what is wrong with it; for invalid_catalog and "
                    + "invalid_price_table, the list of problems.",
                OneOf =
                [
                    new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String } },
                    new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                ],
            },
            ["resource"] = Text("For not_found, what was missing: customer, feature, plan, reservation, invoice, …"),
            ["feature"] = Text("For a denial, the feature refused."),
            ["plan"] = Nullable(Text("For a denial, the customer's plan.")),
            ["limit"] = Nullable(Integer("For quota_exceeded, budget_exceeded and feature_not_in_plan, the quota window's limit (rollover "
                + "included; null when unlimited or not in the plan). For rate_limited, the rate limit's requests per window.")),
            ["used"] = Integer("For a quota denial, units used in the quota's window."),
            ["remaining"] = Nullable(Integer("For a quota denial, units left in the quota's window (null when unlimited); 0 for rate_limited.")),
            ["window_start"] = Nullable(Text("For a quota denial, when the quota's window started.", "date-time")),
            ["resets_at"] = Nullable(Text("For a quota denial, when the quota's window ends and the counter starts again; null for a lifetime "
                + "allowance (reset: never), which never resets.", "date-time")),
            ["reset_at"] = Text("For rate_limited, when the rate limit's window ends (second, minute or hour, aligned to the Unix epoch).", "date-time"),
            ["per"] = Words("For rate_limited, the rate limit's window.", [.. System.Enum.GetValues<RateLimitPer>().Select(p => p.ToWire())]),
            ["scope"] = Words("For rate_limited, whose limit refused: the feature's own, or the plan-wide one (the catalog's rate_limit_feature).",
                "feature", "plan"),
            ["retry_after"] = Integer("For a 429, whole seconds until the quota window or rate-limit window resets, as the Retry-After header "
                + "says; absent when the quota never resets."),
            ["retry_after_seconds"] = Integer("For overloaded (503), whole seconds to wait, as the Retry-After header says."),
            ["customer"] = Text("For a quota denial of a call that named a member: the customer (organisation) whose quota it is."),
            ["member"] = Text("For a quota denial of a call that named a member: that member; present with customer."),
            ["granted_remaining"] = Integer("For a quota denial, what the customer's credit grants for the feature have left, when consulted."),
            ["upgrade_url"] = Text("For a denial, where the customer can upgrade: the catalog's upgrade_url, which may be relative (/pricing)."),
            ["budget_usd"] = Nullable(Number("For budget_exceeded, the plan's LLM budget in USD. Not for end users.")),
            ["budget_spent_usd"] = Number("For budget_exceeded, USD spent this period. Not for end users."),
            ["budget_reserved_usd"] = Number("For budget_exceeded, USD held by open budget reservations. Not for end users."),
            ["budget_granted_remaining_usd"] = Number("For budget_exceeded, USD left in the customer's $llm_budget credit grants. Not for end users."),
            ["reservation_status"] = Text("For reservation_not_held, the reservation's status."),
        },
        AdditionalProperties = new OpenApiSchema(),
    };

    private static OpenApiSchema Text(string description, string? format = null) =>
        new() { Type = JsonSchemaType.String, Format = format, Description = description };

    private static OpenApiSchema Words(string description, params string[] values) =>
        new() { Type = JsonSchemaType.String, Description = description, Enum = [.. values.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v))] };

    private static OpenApiSchema Integer(string description) =>
        new() { Type = JsonSchemaType.Integer, Format = "int64", Description = description };

    private static OpenApiSchema Number(string description) =>
        new() { Type = JsonSchemaType.Number, Description = description };

    private static OpenApiSchema Nullable(OpenApiSchema schema)
    {
        schema.Type |= JsonSchemaType.Null;
        return schema;
    }
}
