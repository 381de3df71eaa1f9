using Tollgate.Server.OpenApi;
using Tollgate.Server.OpenApi.Bodies;

namespace Tollgate.Server.Composition;

/// <summary>The OpenAPI document at /openapi/v1.json and an interactive page at /docs, both served offline.</summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddTollgateOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Tollgate";
                document.Info.Description = "Pricing, entitlements, usage metering and billing. Authenticate with 'Authorization: Bearer <key>'; "
                    + "each operation's x-tollgate-role says which key it needs. Every error is application/problem+json.";
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/'); // the request's base URL ends in '/', which linters flag
                }

                return Task.CompletedTask;
            });
            o.AddSchemaTransformer<DateTimeSchemas>();
            o.AddSchemaTransformer<CatalogSchemas>();
            o.AddSchemaTransformer<DecisionSchemas>();
            o.AddOperationTransformer<OperationIds>();
            o.AddOperationTransformer<SecurityTransformer>();
            o.AddOperationTransformer<OneOfBodies>();
            o.AddOperationTransformer<ProblemResponses>();
            o.AddOperationTransformer<RateLimitResponses>();
            o.AddDocumentTransformer<SecurityTransformer>();
            o.AddDocumentTransformer<ProblemResponses>();
            o.AddDocumentTransformer<TagDescriptions>();
        });

    public static void UseTollgateOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.DocumentTitle = "Tollgate API";
            o.SwaggerEndpoint("/openapi/v1.json", "Tollgate v1");
            o.EnablePersistAuthorization(); // the key typed into Authorize survives a reload of /docs
        });
    }
}
