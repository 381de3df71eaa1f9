using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// Drops component schemas no operation reaches: a type an endpoint binds but documents as another shape (POST
/// /v1/events binds TrackRequest and is documented as UsageEventBatch) left one behind, which linters flag and generated
/// clients carry for nothing. Registered last, after every transformer that adds or replaces schemas.
/// </summary>
public sealed class UnusedSchemas : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas is not { } schemas)
        {
            return Task.CompletedTask;
        }

        var used = SchemaReach.FromRequests(document);
        used.UnionWith(SchemaReach.FromResponsesAndParameters(document));
        foreach (var name in schemas.Keys.Where(n => !used.Contains(n)).ToList())
        {
            schemas.Remove(name);
        }

        return Task.CompletedTask;
    }
}
