using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// A field of a request body that has a default is one the client may leave out, and the document must say so to every
/// generator: openapi-typescript (with its defaults) takes a property with <c>default</c> for one always present and made
/// 27 such fields required, so a documented body that leaves them out did not compile. In schemas only requests use, the
/// default moves into the description ("Default: 1."); a response schema keeps it, since there the server always writes it.
/// </summary>
public sealed class RequestDefaults : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var answered = SchemaReach.FromResponsesAndParameters(document);
        foreach (var name in SchemaReach.FromRequests(document).Where(n => !answered.Contains(n)))
        {
            if (document.Components?.Schemas is not { } schemas || !schemas.TryGetValue(name, out var found) || found is not OpenApiSchema schema)
            {
                continue;
            }

            MoveDefaults(schema);
        }

        return Task.CompletedTask;
    }

    /// <summary>The schema's properties, and those of the object schemas written inline within it (a batch's items), at any depth.</summary>
    private static void MoveDefaults(OpenApiSchema schema)
    {
        foreach (var property in (schema.Properties?.Values ?? []).OfType<OpenApiSchema>())
        {
            if (property.Default is not null)
            {
                var said = $"Default: {property.Default.ToJsonString()}.";
                property.Description = string.IsNullOrEmpty(property.Description) ? said : $"{property.Description.TrimEnd()} {said}";
                property.Default = null;
            }

            MoveDefaults(property);
        }

        var inline = new[] { schema.Items, schema.AdditionalProperties }.Concat(schema.AllOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? []);
        foreach (var child in inline.OfType<OpenApiSchema>())
        {
            MoveDefaults(child);
        }
    }
}
