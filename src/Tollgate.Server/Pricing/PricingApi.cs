using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Experiments;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Pricing;

/// <summary>The public pricing API: no key needed, cacheable by ETag so a pricing page can poll cheaply.</summary>
public static class PricingApi
{
    public static RouteGroupBuilder MapPricing(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/pricing").WithTags("Pricing").AllowAnonymous();
        group.MapGet("/plans", PlansAsync);
        group.MapGet("/plans/{code}", PlanAsync);
        group.MapGet("/features", FeaturesAsync);
        group.MapGet("/compare", CompareAsync);
        return group;
    }

    private static async Task<Results<Ok<IReadOnlyList<PricingPlan>>, StatusCodeHttpResult, ProblemHttpResult>> PlansAsync(
        string? visitor, string? currency, HttpContext http, CatalogCache cache, PublicTag tags, ExperimentPricing experiments,
        CancellationToken cancellationToken)
    {
        var (wanted, currencyProblem) = PricingMapper.ReadCurrency(currency, await cache.GetAsync(cancellationToken));
        if (currencyProblem is not null)
        {
            return Problems.Validation("currency", currencyProblem);
        }

        if (visitor is not null)
        {
            // A visitor may see an experiment's prices, which no shared cache may hand to another visitor.
            http.Response.Headers.CacheControl = "private, no-store";
            if (Validate.Id(visitor) is { } bad)
            {
                return Problems.Validation("visitor", bad);
            }

            var snapshot = await cache.GetAsync(cancellationToken);
            var (plans, experiment) = await experiments.PlansOfAsync(visitor, snapshot, cancellationToken);
            return TypedResults.Ok<IReadOnlyList<PricingPlan>>(
                [.. plans.Where(p => PricingMapper.Shows(p, wanted)).Select(p => PricingMapper.ToWire(p, snapshot, wanted) with { Experiment = experiment })]);
        }

        var catalog = await cache.GetAsync(cancellationToken);
        if (ETags.NotModified(http, tags.Of(catalog)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok<IReadOnlyList<PricingPlan>>(
            [.. catalog.PublicPlans.Where(p => PricingMapper.Shows(p, wanted)).Select(p => PricingMapper.ToWire(p, catalog, wanted))]);
    }

    /// <summary>One plan, in <c>?currency=</c> as the list answers it; a currency the plan does not price is a 400 naming it and the plan's currencies.</summary>
    private static async Task<Results<Ok<PricingPlan>, StatusCodeHttpResult, ProblemHttpResult>> PlanAsync(
        string code, string? currency, HttpContext http, CatalogCache cache, PublicTag tags, CancellationToken cancellationToken)
    {
        var catalog = await cache.GetAsync(cancellationToken);
        var (wanted, currencyProblem) = PricingMapper.ReadCurrency(currency, catalog);
        if (currencyProblem is not null)
        {
            return Problems.Validation("currency", currencyProblem);
        }

        var plan = catalog.PublicPlans.FirstOrDefault(p => p.Code == code);
        if (plan is null)
        {
            return Problems.NotFound("plan", code);
        }

        if (!PricingMapper.Shows(plan, wanted))
        {
            return Problems.Validation("currency", $"plan '{code}' has no price in {wanted}; it offers {string.Join(", ", plan.Current.Terms.Currencies)}");
        }

        if (ETags.NotModified(http, tags.Of(catalog)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(PricingMapper.ToWire(plan, catalog, wanted));
    }

    private static async Task<Results<Ok<IReadOnlyList<PricingFeature>>, StatusCodeHttpResult>> FeaturesAsync(
        HttpContext http, CatalogCache cache, PublicTag tags, CancellationToken cancellationToken)
    {
        var catalog = await cache.GetAsync(cancellationToken);
        if (ETags.NotModified(http, tags.Of(catalog)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok<IReadOnlyList<PricingFeature>>([.. catalog.PublicFeatures.Select(PricingMapper.ToWire)]);
    }

    private static async Task<Results<Ok<PricingComparison>, StatusCodeHttpResult>> CompareAsync(
        HttpContext http, CatalogCache cache, PublicTag tags, CancellationToken cancellationToken)
    {
        var catalog = await cache.GetAsync(cancellationToken);
        if (ETags.NotModified(http, tags.Of(catalog)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(PricingMapper.Compare(catalog));
    }
}
