using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// The 503s that are part of an operation's contract, with what they mean: the hot-path writes queue on the node's
/// bounded group committer (full: overloaded) and need the database (away: database_unavailable), and /readyz answers
/// 503 while the server cannot serve. Each carries Retry-After. Runs after <see cref="ProblemResponses"/>.
/// </summary>
public sealed class UnavailableResponses : IOpenApiOperationTransformer
{
    private const string HotPath =
        "Nothing was written; retry after Retry-After. overloaded: this node already holds as many queued operations as it may "
        + "(Tollgate:Database:QueueCapacity); `retry_after_seconds` says the same as the header. database_unavailable: the database "
        + "cannot be reached right now (a restart or a failover). The one exception is commit_outcome_unknown: the connection broke "
        + "after the commit was sent, or the synchronous standby did not acknowledge it, so the request may have been recorded; "
        + "retry it only with the same Idempotency-Key. database_misconfigured: a setting does not fit the database or its "
        + "pooler (the log names it).";

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["POST /v1/entitlements/consume"] = HotPath,
        ["POST /v1/entitlements/reserve"] = HotPath,
        ["POST /v1/reservations/{id}/commit"] = HotPath,
        ["POST /v1/reservations/{id}/release"] = HotPath,
        ["POST /v1/events"] = HotPath,
        ["POST /v1/llm/usage"] = HotPath,
        ["POST /v1/llm/budget/reserve"] = HotPath,
        ["GET /readyz"] = "Not ready: the database does not answer (database_unavailable), or its schema is not at this build's version "
            + "(migrations_pending, with `schema_version` and `expected_version`). Retry-After says when to look again.",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var key = $"{context.Description.HttpMethod} /{context.Description.RelativePath?.TrimEnd('/')}";
        if (!Descriptions.TryGetValue(key, out var description))
        {
            return Task.CompletedTask;
        }

        operation.Responses ??= [];
        var response = ProblemResponses.Response(StatusCodes.Status503ServiceUnavailable, context.Document);
        response.Description = description;
        response.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader { Description = "Whole seconds to wait before trying again.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
        };
        operation.Responses["503"] = response;
        ProblemResponses.Order(operation.Responses);
        return Task.CompletedTask;
    }
}
