using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// A summary and an operationId on every operation. The id is the endpoint's name when it has one (WithName), else its
/// method and route, such as getCustomersIdUsage for GET /v1/customers/{id}/usage: unique, and stable until the route
/// moves. The summary is the method and route unless the endpoint set one (WithSummary).
/// </summary>
public sealed class OperationIds : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(operation.OperationId))
        {
            operation.OperationId = FromRoute(context.Description.HttpMethod ?? "get", context.Description.RelativePath ?? "");
        }

        // A summary for lists and generated docs; an endpoint's own WithSummary wins.
        if (string.IsNullOrEmpty(operation.Summary))
        {
            operation.Summary = $"{context.Description.HttpMethod} /{context.Description.RelativePath}";
        }

        return Task.CompletedTask;
    }

    public static string FromRoute(string method, string route)
    {
        var id = new StringBuilder(method.ToLowerInvariant());
        var segments = route.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in segments.SkipWhile(s => s is "v1"))
        {
            // Words split on '-', '_', '.' and braces: {id} → Id, llm-budget → LlmBudget.
            foreach (var word in segment.Split(['-', '_', '.', '{', '}', ':'], StringSplitOptions.RemoveEmptyEntries))
            {
                id.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
            }
        }

        return id.ToString();
    }
}
