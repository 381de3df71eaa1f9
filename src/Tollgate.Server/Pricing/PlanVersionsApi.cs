using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Pricing;

/// <summary>
/// A plan's versions, each in the pricing API's shapes. It sits with Pricing, which owns those shapes, so Catalog need not
/// import the folder that reads it.
/// </summary>
public static class PlanVersionsApi
{
    public static void MapPlanVersions(this IEndpointRouteBuilder app) =>
        app.MapGet("/v1/admin/plans/{code}/versions", VersionsAsync).WithTags("Catalog").RequireAuthorization(Policies.Admin);

    private static async Task<Results<Ok<IReadOnlyList<PlanVersionResponse>>, ProblemHttpResult>> VersionsAsync(
        string code, CatalogStore store, CatalogCache cache, CancellationToken cancellationToken)
    {
        var catalog = await cache.GetAsync(cancellationToken);
        var versions = await store.ListPlanVersionsAsync(code, cancellationToken);
        if (versions.Count == 0)
        {
            return Problems.NotFound("plan", code);
        }

        return TypedResults.Ok<IReadOnlyList<PlanVersionResponse>>([.. versions.Select(v => new PlanVersionResponse(
            v.Id, v.PlanCode, v.Version, v.CreatedAt, catalog.Plan(code)?.Current.Id == v.Id,
            PricingMapper.Prices(v.Terms),
            [.. catalog.Features.Where(f => v.Terms.Feature(f.Code) is not null).Select(f => PricingMapper.ToWire(f, v.Terms.Feature(f.Code), v.Terms.DefaultCurrency ?? "USD"))]))]);
    }
}
