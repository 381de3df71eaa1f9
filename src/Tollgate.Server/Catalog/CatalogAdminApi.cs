using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Http;

namespace Tollgate.Server.Catalog;

/// <summary>The catalog as one document: PUT applies it whole or not at all, GET exports it.</summary>
public static class CatalogAdminApi
{
    public static RouteGroupBuilder MapCatalogAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin").WithTags("Catalog").RequireAuthorization(Policies.Admin);
        group.MapPut("/catalog", ApplyAsync).Accepts<OpenApi.Bodies.CatalogDocumentBody>("application/json");
        group.MapGet("/catalog", ExportAsync).Produces<OpenApi.Bodies.CatalogDocumentBody>();
        return group;
    }

    private static async Task<Results<Ok<CatalogApplyResponse>, ProblemHttpResult>> ApplyAsync(
        HttpRequest request, CatalogService catalog, CancellationToken cancellationToken, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "dry_run")] string? dryRun = null)
    {
        if (dryRun is not (null or "true" or "false"))
        {
            return Problems.Validation("dry_run", "must be true or false");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text))
        {
            // The answer every endpoint gives a missing body (ErrorHandling), though this one reads its body itself.
            return Problems.MissingBody();
        }

        var result = await catalog.ApplyAsync(text, dryRun == "true", cancellationToken);
        if (!result.IsValid)
        {
            return Problems.Create(400, "invalid_catalog",
                $"The catalog has {result.Problems.Count} problem(s); nothing was applied.",
                new Dictionary<string, object?> { ["errors"] = result.Problems.Select(p => p.ToString()).ToList() });
        }

        return TypedResults.Ok(CatalogApplyWire.ToWire(result));
    }

    private static async Task<ContentHttpResult> ExportAsync(CatalogService catalog, CancellationToken cancellationToken) =>
        TypedResults.Text(await catalog.ExportAsync(cancellationToken), "application/json", Encoding.UTF8);
}
