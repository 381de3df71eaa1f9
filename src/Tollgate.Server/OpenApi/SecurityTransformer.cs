using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// The bearer scheme, and on each operation the role it needs (x-tollgate-role) and its security requirement, so
/// Swagger UI's Authorize button sends the key and generators know which calls need one.
/// </summary>
public sealed class SecurityTransformer : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    public const string SchemeName = "bearer";
    public const string RoleExtension = "x-tollgate-role";
    public const string SessionExtension = "x-tollgate-customer-session";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "tg_{role}_…",
            Description = "An API key: `Authorization: Bearer tg_sk_…` (secret) or `tg_admin_…` (admin). "
                + "`x-tollgate-role` on each operation says which. A customer session token (`tg_cs_…`, minted by "
                + "POST /v1/customers/{id}/sessions) may call only the operations marked `x-tollgate-customer-session: true`, "
                + "for its own customer.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var role = EndpointRoles.Of(context.Description.ActionDescriptor.EndpointMetadata);
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions[RoleExtension] = new JsonNodeExtension(JsonValue.Create(role));
        if (context.Description.HttpMethod is { } method
            && Auth.CustomerSessionScope.Allows(method, "/" + context.Description.RelativePath))
        {
            operation.Extensions[SessionExtension] = new JsonNodeExtension(JsonValue.Create(true));
        }
        // An empty list says "no key needed"; leaving it out would mean "see the document's default".
        operation.Security = role == EndpointRoles.Public
            ? []
            : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] }];
        return Task.CompletedTask;
    }
}
