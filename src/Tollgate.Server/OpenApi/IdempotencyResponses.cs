using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tollgate.Server.Http;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// The 409s an <c>Idempotency-Key</c> adds to the operations that honour one (<see cref="IdempotentPost.WithIdempotency"/>),
/// beside the operation's own conflicts, with what a client should do about each. Runs after <see cref="ProblemResponses"/>,
/// which writes the 409 every operation shares.
/// </summary>
public sealed class IdempotencyResponses : IOpenApiOperationTransformer
{
    public const string Conflict =
        "The request conflicts with the current state (the operation's own conflicts, such as no_change or subscription_exists), "
        + "or its Idempotency-Key does. idempotency_mismatch: the key was used for a different request; use a new key. "
        + "idempotency_key_in_use: the first request under the key is still running; retry later with the same key. "
        + "idempotency_answer_lost: the first request under the key was applied, but its answer was lost (the server failed after "
        + "the change was committed); it is not run again, so read the resource's current state rather than retrying.";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<ReplaysAnswers>().Any())
        {
            DeclareReplayed(operation, "true when this is the kept answer of an earlier request: a consume or reserve under the same "
                + "idempotency key, or a reservation's commit or release sent again.");
            return Task.CompletedTask;
        }

        if (!metadata.OfType<IdempotentEndpoint>().Any() || operation.Responses?.GetValueOrDefault("409") is not OpenApiResponse conflict)
        {
            return Task.CompletedTask;
        }

        conflict.Description = Conflict;
        // The filter reads the header, not the handler, so nothing else declares it: a generated client would not send it.
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = TollgateHeaders.IdempotencyKey,
            In = ParameterLocation.Header,
            Description = "Makes the POST safe to retry: the first request's answer is kept and a retry with the same key gets it back "
                + "(with Idempotent-Replayed: true) instead of making the change again. 1-255 printable characters.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
        });
        DeclareReplayed(operation, "true when this is the kept answer of an earlier request under the same Idempotency-Key.");
        return Task.CompletedTask;
    }

    private static void DeclareReplayed(OpenApiOperation operation, string description)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (status.StartsWith('2') && response is OpenApiResponse success)
            {
                success.Headers ??= new Dictionary<string, IOpenApiHeader>();
                success.Headers[TollgateHeaders.IdempotentReplayed] = new OpenApiHeader
                {
                    Description = description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [System.Text.Json.Nodes.JsonValue.Create("true")] },
                };
            }
        }
    }
}
