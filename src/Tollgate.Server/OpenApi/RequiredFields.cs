using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// A request field the server refuses a body without is nullable in its record (so the handler, not the JSON binder,
/// names it in a 400 with the others), which left it optional and nullable in the document. Such a field carries
/// <see cref="RequiredAttribute"/> (<c>[property: Required]</c>); here it joins its schema's <c>required</c> list and loses
/// <c>null</c> from its type. OpenApiRequiredTests holds the lists to what the server refuses.
/// </summary>
public sealed class RequiredFields : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is not null || context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object || schema.Properties is not { } properties)
        {
            return Task.CompletedTask;
        }

        foreach (var property in context.JsonTypeInfo.Properties.Where(p => p.AttributeProvider?.IsDefined(typeof(RequiredAttribute), false) == true))
        {
            if (!properties.TryGetValue(property.Name, out var found))
            {
                continue;
            }

            schema.Required ??= new HashSet<string>();
            schema.Required.Add(property.Name);
            properties[property.Name] = NotNull(found);
        }

        return Task.CompletedTask;
    }

    private static IOpenApiSchema NotNull(IOpenApiSchema schema)
    {
        if (schema is not OpenApiSchema inline)
        {
            return schema;
        }

        // A nullable reference is oneOf [null, $ref]: the reference alone, keeping the field's description.
        if (inline.OneOf is { Count: 2 } branches && branches.OfType<OpenApiSchema>().Any(b => b.Type == JsonSchemaType.Null)
            && branches.OfType<OpenApiSchemaReference>().FirstOrDefault() is { } reference)
        {
            return reference;
        }

        if (inline.Type is { } type && type.HasFlag(JsonSchemaType.Null))
        {
            inline.Type = type & ~JsonSchemaType.Null;
        }

        return inline;
    }
}
