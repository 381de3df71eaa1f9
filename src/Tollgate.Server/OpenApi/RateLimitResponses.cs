using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// Consume and reserve are the calls a rate limit counts (docs/entitlements.md#rate-limits): their 200 and 429 carry the
/// RateLimit-* headers (Entitlements/EntitlementMapper.RateLimitHeaders) and their 429 may be rate_limited. Runs after
/// <see cref="ProblemResponses"/>, which writes the 429 every endpoint shares.
/// </summary>
public sealed class RateLimitResponses : IOpenApiOperationTransformer
{
    private static readonly HashSet<string> RateLimitedPaths = new(StringComparer.Ordinal) { "/v1/entitlements/consume", "/v1/entitlements/reserve" };

    public const string TooManyDescription =
        "Refused, and nothing counted: the feature's or the plan's rate limit (rate_limited; `reset_at` says when its window "
        + "ends), or the quota or LLM budget under a hard cap (quota_exceeded, budget_exceeded; `resets_at` says when the quota's "
        + "window ends). Retry-After says how long to wait; a quota that never resets (reset: never) sends none.";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.RelativePath is not { } path || !RateLimitedPaths.Contains("/" + path.TrimStart('/')) || operation.Responses is null)
        {
            return Task.CompletedTask;
        }

        if (operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse success)
        {
            // Added to what other transformers declared (the replay header), not in its place.
            success.Headers ??= new Dictionary<string, IOpenApiHeader>();
            foreach (var (name, header) in RateLimitHeaders())
            {
                success.Headers[name] = header;
            }
        }

        if (operation.Responses.TryGetValue("429", out var refused) && refused is OpenApiResponse tooMany)
        {
            tooMany.Description = TooManyDescription;
            var headers = RateLimitHeaders();
            headers["Retry-After"] = Header(
                "Whole seconds until the window that refused the call resets: the rate limit's, or the quota's; absent when the quota never resets.");
            tooMany.Headers = headers;
        }

        return Task.CompletedTask;
    }

    // Fresh objects per response: the writer serializes each where it stands.
    private static Dictionary<string, IOpenApiHeader> RateLimitHeaders() => new()
    {
        ["RateLimit-Limit"] = Header("When the feature or the plan has a rate limit (rate_limit): the requests its window allows."),
        ["RateLimit-Remaining"] = Header("With RateLimit-Limit: the requests left in the current window."),
        ["RateLimit-Reset"] = Header("With RateLimit-Limit: whole seconds (at least 1) until the window ends."),
    };

    private static OpenApiHeader Header(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } };
}
