using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tollgate.Contracts;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// An event's properties as the API reads them (Server/Events/PropertyEvents.cs): a flat object of at most 32 strings,
/// numbers and booleans, so a generated client types them instead of taking an object with no allowed keys.
/// </summary>
public sealed class EventSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is not { } property || property.DeclaringType != typeof(PropertyEvent))
        {
            return Task.CompletedTask;
        }

        switch (property.Name)
        {
            case "properties":
                schema.MaxProperties = 32;
                schema.AdditionalProperties = new OpenApiSchema
                {
                    OneOf =
                    [
                        new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 256 },
                        new OpenApiSchema { Type = JsonSchemaType.Number },
                        new OpenApiSchema { Type = JsonSchemaType.Boolean },
                    ],
                };
                break;
            case "event":
                schema.MinLength = 1;
                schema.MaxLength = 64;
                break;
            case "id" or "customer":
                schema.MinLength = 1;
                schema.MaxLength = 255;
                break;
        }

        return Task.CompletedTask;
    }
}
