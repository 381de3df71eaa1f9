using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// Instants go through Tollgate's own UTC converter, which hides their type from the schema generator; this puts back
/// type string (and null for a nullable one) next to the format date-time the generator kept.
/// </summary>
public sealed class DateTimeSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonPropertyInfo?.PropertyType ?? context.JsonTypeInfo.Type;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying != typeof(DateTimeOffset) && underlying != typeof(DateTime))
        {
            return Task.CompletedTask;
        }

        schema.Format = "date-time";
        schema.Type = type != underlying ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        return Task.CompletedTask;
    }
}
