using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// A nullable JsonElement (a value feature's <c>value</c>) came out as <c>oneOf: [{type: null}, {$ref: JsonElement}]</c>
/// with JsonElement the empty schema: null matches both branches, so every null failed oneOf. Any JSON value, null
/// included, is the empty schema itself, so the property becomes that, keeping its description.
/// </summary>
public sealed class AnyValueSchemas : IOpenApiDocumentTransformer
{
    private const string JsonElement = "JsonElement";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var seen = new HashSet<OpenApiSchema>(ReferenceEqualityComparer.Instance);
        foreach (var schema in (document.Components?.Schemas?.Values ?? []).OfType<OpenApiSchema>())
        {
            Visit(schema, seen);
        }

        return Task.CompletedTask;
    }

    private static void Visit(OpenApiSchema schema, HashSet<OpenApiSchema> seen)
    {
        if (!seen.Add(schema))
        {
            return;
        }

        if (schema.Properties is { } properties)
        {
            foreach (var (name, property) in properties.ToList())
            {
                if (AnyValue(property) is { } any)
                {
                    properties[name] = any;
                }
                else if (property is OpenApiSchema inline)
                {
                    Visit(inline, seen);
                }
            }
        }

        if (schema.Items is { } items && AnyValue(items) is { } anyItem)
        {
            schema.Items = anyItem;
        }

        if (schema.AdditionalProperties is { } extra && AnyValue(extra) is { } anyExtra)
        {
            schema.AdditionalProperties = anyExtra;
        }

        foreach (var child in new[] { schema.Items, schema.AdditionalProperties }.Concat(schema.AllOf ?? []).Concat(schema.AnyOf ?? [])
                     .Concat(schema.OneOf ?? []).OfType<OpenApiSchema>())
        {
            Visit(child, seen);
        }
    }

    /// <summary>The empty schema with the property's description, when <paramref name="schema"/> is null-or-JsonElement; else null.</summary>
    private static OpenApiSchema? AnyValue(IOpenApiSchema schema)
    {
        if (schema is not OpenApiSchema { OneOf: { Count: 2 } branches } union)
        {
            return null;
        }

        var element = branches.OfType<OpenApiSchemaReference>().FirstOrDefault(r => r.Reference.Id == JsonElement);
        var isNull = branches.OfType<OpenApiSchema>().Any(b => b.Type == JsonSchemaType.Null);
        return element is not null && isNull ? new OpenApiSchema { Description = element.Description ?? union.Description } : null;
    }
}
