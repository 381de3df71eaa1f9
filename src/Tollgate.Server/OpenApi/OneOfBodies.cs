using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>A request body (Status null) or a JSON answer that is one of several types.</summary>
public sealed record OneOfBody(int? Status, IReadOnlyList<Type> Types);

/// <summary>Writes <see cref="OneOfBody"/> metadata as oneOf schemas, each type a component where it can be one.</summary>
public sealed class OneOfBodies : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var body in context.Description.ActionDescriptor.EndpointMetadata.OfType<OneOfBody>())
        {
            var schemas = new List<IOpenApiSchema>();
            foreach (var type in body.Types)
            {
                schemas.Add(await SchemaAsync(type, context, cancellationToken));
            }

            var schema = schemas.Count == 1 ? schemas[0] : new OpenApiSchema { OneOf = schemas };

            var content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } };
            if (body.Status is { } status)
            {
                operation.Responses ??= [];
                operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                    new OpenApiResponse { Description = "OK", Content = content };
            }
            else
            {
                operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
            }
        }
    }

    /// <summary>A reference to the type's component (made if missing); generic types, such as dictionaries, stay inline.</summary>
    private static async Task<IOpenApiSchema> SchemaAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        if (type.IsGenericType || context.Document is not { } document)
        {
            return schema;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(type.Name, schema);
        return new OpenApiSchemaReference(type.Name, document);
    }
}
