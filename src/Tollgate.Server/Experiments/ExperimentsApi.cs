using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Experiments;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Experiments;

/// <summary>Price experiments (admin key): define, start, stop, and read the results.</summary>
public static class ExperimentsApi
{
    public static RouteGroupBuilder MapExperiments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/experiments").WithTags("Experiments").RequireAuthorization(Policies.Admin);
        group.MapPost("", CreateAsync);
        group.MapGet("", async (ExperimentStore store, CancellationToken ct) =>
            TypedResults.Ok(new ExperimentListResponse([.. (await store.ListAsync(ct)).Select(ToWire)])));
        group.MapGet("/{id}", async Task<Results<Ok<ExperimentResponse>, ProblemHttpResult>> (
            string id, ExperimentStore store, CancellationToken ct) =>
            await store.GetAsync(id, ct) is { } e ? TypedResults.Ok(ToWire(e)) : Problems.NotFound("experiment", id));
        // 409: another experiment is running (experiment_running), or this one is not a draft or not running.
        group.MapPost("/{id}/start", async (string id, ExperimentStore store, CancellationToken ct) => Changed(id, await store.StartAsync(id, ct)))
            .ProducesProblems(409);
        group.MapPost("/{id}/stop", StopAsync).ProducesProblems(409);
        group.MapGet("/{id}/results", ResultsAsync);
        return group;
    }

    private static async Task<Results<Created<ExperimentResponse>, ProblemHttpResult>> CreateAsync(
        CreateExperimentRequest request, ExperimentStore store, CatalogCache catalog, CancellationToken cancellationToken)
    {
        var (variants, errors) = ExperimentRequests.Parse(request, await catalog.GetAsync(cancellationToken));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var experiment = await store.CreateAsync(request.Name!, variants, cancellationToken);
        return TypedResults.Created($"/v1/admin/experiments/{experiment.Id}", ToWire(experiment));
    }

    private static async Task<Results<Ok<ExperimentResponse>, ProblemHttpResult>> StopAsync(
        string id, StopExperimentRequest? request, ExperimentPromotion promotion, CancellationToken cancellationToken) =>
        await promotion.StopAsync(id, request?.Promote, cancellationToken) switch
        {
            ExperimentStop.NotAChallenger refused => Problems.Validation("promote", $"must be one of the challengers: {string.Join(", ", refused.Challengers)}"),
            ExperimentStop.PlanInactive off => Problems.Create(409, "plan_inactive",
                $"The variant prices {string.Join(", ", off.Plans)}, no longer on sale (is_active: false): put the plan back on sale to promote its price, or stop without promote.",
                new Dictionary<string, object?> { ["plans"] = off.Plans }),
            var stop => Changed(id, ((ExperimentStop.Changed)stop).Change),
        };

    private static async Task<Results<Ok<ExperimentResultsResponse>, ProblemHttpResult>> ResultsAsync(
        string id, ExperimentStore store, ExperimentTallies tallies, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } experiment)
        {
            return Problems.NotFound("experiment", id);
        }

        var results = ExperimentResults.Compute(experiment, await tallies.CountsAsync(id, cancellationToken));
        return TypedResults.Ok(new ExperimentResultsResponse(experiment.Id, experiment.Status.ToWire(), 0.95, [.. results.Select(r =>
            new VariantResultResponse(r.Variant, r.IsControl, r.Visitors, r.Conversions, r.ConversionRate, r.ConversionInterval.Low,
                r.ConversionInterval.High, r.MrrCents, r.MrrPerVisitorCents, r.PValue, r.RelativeLift))]));
    }

    private static Results<Ok<ExperimentResponse>, ProblemHttpResult> Changed(string id, ExperimentChange change) => change switch
    {
        ExperimentChange.Done done => TypedResults.Ok(ToWire(done.Experiment)),
        ExperimentChange.Conflict conflict => Problems.Create(StatusCodes.Status409Conflict, conflict.Error, conflict.Detail),
        _ => Problems.NotFound("experiment", id),
    };

    public static ExperimentResponse ToWire(Experiment e) => new(
        e.Id, e.Name, e.Status.ToWire(),
        [.. e.Variants.Select(v => new ExperimentVariantResponse(v.Key, v.Weight, v.IsControl,
            [.. v.Prices.Select(p => new VariantPriceResponse(p.PlanCode, p.BillingPeriod.ToWire(), p.PriceCents))]))],
        e.CreatedAt, e.StartedAt, e.StoppedAt);
}
