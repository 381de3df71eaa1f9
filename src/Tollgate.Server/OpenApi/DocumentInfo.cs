using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>
/// The document's title, description and license. Text that shows a placeholder in angle brackets sits in a code span:
/// /docs renders descriptions as Markdown, where a bare &lt;key&gt; is taken for an HTML tag and dropped, which showed
/// the auth example as "Authorization: Bearer '".
/// </summary>
public sealed class DocumentInfo : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Tollgate";
        document.Info.Description = "Pricing, entitlements, usage metering and billing. Authenticate with `Authorization: Bearer <key>`; "
            + "each operation's `x-tollgate-role` says which key it needs. Every error is `application/problem+json`.";
        // The repository's LICENSE; an SPDX identifier, as OpenAPI 3.1 allows, rather than a URL to keep in step.
        document.Info.License = new OpenApiLicense { Name = "Apache-2.0", Identifier = "Apache-2.0" };
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/'); // the request's base URL ends in '/', which linters flag
        }

        return Task.CompletedTask;
    }
}
