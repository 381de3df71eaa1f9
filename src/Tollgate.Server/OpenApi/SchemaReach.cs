using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>Which component schemas a document's request bodies, and its responses and parameters, reach through references.</summary>
public static class SchemaReach
{
    /// <summary>The components every request body reaches.</summary>
    public static HashSet<string> FromRequests(OpenApiDocument document) =>
        Reached(document, Operations(document).SelectMany(o => Content(o.RequestBody?.Content)));

    /// <summary>The components every response (body or header) and parameter reaches.</summary>
    public static HashSet<string> FromResponsesAndParameters(OpenApiDocument document) =>
        Reached(document, Operations(document).SelectMany(o =>
            (o.Responses?.Values.AsEnumerable() ?? []).SelectMany(r => Content(r.Content).Concat((r.Headers?.Values ?? []).Select(h => h.Schema)))
                .Concat((o.Parameters ?? []).Select(p => p.Schema))));

    private static IEnumerable<OpenApiOperation> Operations(OpenApiDocument document) =>
        (document.Paths?.Values.AsEnumerable() ?? []).SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []);

    private static IEnumerable<IOpenApiSchema?> Content(IDictionary<string, OpenApiMediaType>? content) =>
        (content?.Values ?? []).Select(m => m.Schema);

    private static HashSet<string> Reached(OpenApiDocument document, IEnumerable<IOpenApiSchema?> roots)
    {
        var components = document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<IOpenApiSchema>(roots.OfType<IOpenApiSchema>());
        while (pending.TryPop(out var schema))
        {
            if (schema is OpenApiSchemaReference reference)
            {
                if (reference.Reference.Id is { } id && reached.Add(id) && components.TryGetValue(id, out var target))
                {
                    pending.Push(target);
                }

                continue;
            }

            foreach (var child in Children(schema))
            {
                pending.Push(child);
            }
        }

        return reached;
    }

    private static IEnumerable<IOpenApiSchema> Children(IOpenApiSchema schema) =>
        new[] { schema.Items, schema.AdditionalProperties, schema.Not }.OfType<IOpenApiSchema>()
            .Concat(schema.Properties?.Values ?? [])
            .Concat(schema.AllOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? []);
}
