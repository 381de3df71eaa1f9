using Tollgate.Server.OpenApi;
using Tollgate.Server.OpenApi.Bodies;

namespace Tollgate.Server.Composition;

/// <summary>The OpenAPI document at /openapi/v1.json and an interactive page at /docs, both served offline.</summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddTollgateOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<DocumentInfo>();
            o.AddSchemaTransformer<DateTimeSchemas>();
            o.AddSchemaTransformer<CatalogSchemas>();
            o.AddSchemaTransformer<DecisionSchemas>();
            o.AddSchemaTransformer<EventSchemas>();
            o.AddSchemaTransformer<RequiredFields>();
            o.AddOperationTransformer<OperationIds>();
            o.AddOperationTransformer<SecurityTransformer>();
            o.AddOperationTransformer<OneOfBodies>();
            o.AddOperationTransformer<ProblemResponses>();
            o.AddOperationTransformer<IdempotencyResponses>();
            o.AddOperationTransformer<RateLimitResponses>();
            o.AddOperationTransformer<UnavailableResponses>();
            o.AddOperationTransformer<QueryParameters>();
            o.AddDocumentTransformer<SecurityTransformer>();
            o.AddDocumentTransformer<ProblemResponses>();
            o.AddDocumentTransformer<TagDescriptions>();
            o.AddDocumentTransformer<RequestDefaults>();
            o.AddDocumentTransformer<AnyValueSchemas>();
            o.AddDocumentTransformer<UnusedSchemas>();
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
