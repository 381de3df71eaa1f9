using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tollgate.Contracts;
using Tollgate.Core.Entitlements;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// A decision's reason as an enum of every wire name the server can send, taken from <see cref="DecisionReason"/> itself so
/// a new reason cannot be left out of the document.
/// </summary>
public sealed class DecisionSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is { Name: "reason" } property && property.DeclaringType == typeof(EntitlementResponse))
        {
            schema.Enum = [.. Enum.GetValues<DecisionReason>().Select(r => (JsonNode)JsonValue.Create(r.ToWire()))];
        }

        return Task.CompletedTask;
    }
}
