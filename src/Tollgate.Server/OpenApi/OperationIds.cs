using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// An operationId, a summary and a description on every operation. The id is the endpoint's name when it has one
/// (WithName), else its method and route, such as getCustomersIdUsage for GET /v1/customers/{id}/usage: unique, and
/// stable until the route moves. The summary and description come from <see cref="OperationSummaries"/> unless the
/// endpoint set its own (WithSummary, WithDescription); a route with neither has none, which OpenApiDocumentTests refuses.
/// </summary>
public sealed class OperationIds : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(operation.OperationId))
        {
            operation.OperationId = FromRoute(context.Description.HttpMethod ?? "get", context.Description.RelativePath ?? "");
        }

        if (OperationSummaries.All.GetValueOrDefault($"{context.Description.HttpMethod} /{context.Description.RelativePath?.TrimEnd('/')}") is { } text)
        {
            operation.Summary = string.IsNullOrEmpty(operation.Summary) ? text.Summary : operation.Summary;
            operation.Description = string.IsNullOrEmpty(operation.Description) ? text.Description : operation.Description;
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
