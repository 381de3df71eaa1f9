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
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentEndpoint>().Any()
            || operation.Responses?.GetValueOrDefault("409") is not OpenApiResponse conflict)
        {
            return Task.CompletedTask;
        }

        conflict.Description = Conflict;
        return Task.CompletedTask;
    }
}
