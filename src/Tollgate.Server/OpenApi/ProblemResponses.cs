using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// Every operation's error answers, all typed as <see cref="ProblemSchema"/>: 400 for every one (a query value holding
/// NUL is refused on every route, whatever it reads), 414 and 431 for every one (a path and query or headers past their
/// limits, refused before anything else), 401 and 403 for any that needs a key, 404 for any with an id in its
/// path, 413 (too large) and 415 (not JSON) for any with a body, plus whatever the endpoint declares with ProducesProblem
/// (402, 409, 422, 429, 502, 503, …).
/// </summary>
public sealed class ProblemResponses : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    public const string ContentType = "application/problem+json";

    private static readonly Dictionary<int, string> Descriptions = new()
    {
        [400] = "The request is invalid (a body, path or query value, or text holding NUL); nothing was written. "
            + "For validation_failed, `errors` names each bad field.",
        [401] = "No API key, or one that is not valid or was revoked (missing_api_key, invalid_api_key).",
        [402] = "The customer's plan does not include the feature (feature_not_in_plan); `upgrade_url` says where to upgrade.",
        [403] = "The key's role may not call this endpoint (forbidden); x-tollgate-role says which role it needs.",
        [404] = "Something named in the request does not exist (not_found); `resource` says what.",
        [409] = "The request conflicts with the current state, or reuses an idempotency key for a different request.",
        [413] = "The body is larger than the server accepts (1 MiB; body_too_large).",
        [414] = "The path and query are longer than the server accepts (8 KiB; uri_too_long); `errors` names the longest part.",
        [415] = "The body is not JSON in UTF-8 (a form, say); nothing was read (unsupported_media_type).",
        [422] = "The request is well formed but cannot be acted on as it stands.",
        [429] = "The quota or LLM budget is used up under a hard cap (quota_exceeded, budget_exceeded); Retry-After says when it resets.",
        [431] = "The headers are larger than the server accepts (32 KiB together; headers_too_large); `errors` names the largest.",
        [502] = "An upstream service (Stripe) answered with an error.",
        [503] = "A dependency is not configured or not reachable.",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var statuses = new SortedSet<int> { 400, 414, 431 };
        var description = context.Description;
        if (EndpointRoles.Of(description.ActionDescriptor.EndpointMetadata) != EndpointRoles.Public)
        {
            statuses.UnionWith([401, 403]);
        }

        if (description.ParameterDescriptions.Any(p => p.Source.Id == "Path"))
        {
            statuses.Add(404);
        }

        // Every body is capped in size before it is read, and a JSON body that is something else (a form) is refused.
        if (operation.RequestBody is { } body)
        {
            statuses.Add(413);
            if (body.Content?.ContainsKey("application/json") == true)
            {
                statuses.Add(415);
            }
        }

        operation.Responses ??= [];
        foreach (var code in operation.Responses.Keys)
        {
            if (int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status >= 400)
            {
                statuses.Add(status);
            }
        }

        foreach (var status in statuses)
        {
            operation.Responses[status.ToString(CultureInfo.InvariantCulture)] = Response(status, context.Document);
        }

        Order(operation.Responses);
        return Task.CompletedTask;
    }

    /// <summary>Success first, then errors by status, however they were declared.</summary>
    internal static void Order(OpenApiResponses responses)
    {
        var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (code, response) in ordered)
        {
            responses[code] = response;
        }
    }

    /// <summary>Adds the Problem component, and drops ASP.NET's own problem schemas that <see cref="Response"/> replaced.</summary>
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema.Name] = ProblemSchema.Create();
        document.Components.Schemas.Remove("ProblemDetails");
        document.Components.Schemas.Remove("HttpValidationProblemDetails");
        return Task.CompletedTask;
    }

    internal static OpenApiResponse Response(int status, OpenApiDocument? document)
    {
        var response = new OpenApiResponse
        {
            Description = Descriptions.GetValueOrDefault(status, Http.Problems.TitleFor(status) + "."),
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ContentType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema.Name, document) },
            },
        };
        if (status == 429)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds until the quota resets.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                },
            };
        }

        return response;
    }
}
