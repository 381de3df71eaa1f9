using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Taxes;
using Tollgate.Server.Http;

namespace Tollgate.Server.Taxes;

/// <summary>Tax rates (admin key): create, read, list, deactivate. A rate is never deleted, since issued invoices name it.</summary>
public static class TaxRatesApi
{
    public static RouteGroupBuilder MapTaxRates(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/tax-rates").WithTags("Taxes").RequireAuthorization(Policies.Admin);
        group.MapPost("", CreateAsync).ProducesProblems(400, 409);
        group.MapGet("", ListAsync).ProducesProblems(400);
        group.MapGet("/{id}", async Task<Results<Ok<TaxRateResponse>, ProblemHttpResult>> (string id, TaxRateStore store, CancellationToken ct) =>
            await store.GetAsync(id, ct) is { } rate ? TypedResults.Ok(ToWire(rate)) : Problems.NotFound("tax rate", id))
            .ProducesProblems(404);
        group.MapPost("/{id}/deactivate", async Task<Results<Ok<TaxRateResponse>, ProblemHttpResult>> (string id, TaxRateStore store, CancellationToken ct) =>
            await store.DeactivateAsync(id, ct) is { } rate ? TypedResults.Ok(ToWire(rate)) : Problems.NotFound("tax rate", id))
            .ProducesProblems(404);
        return group;
    }

    public static TaxRateResponse ToWire(TaxRate r) => new(r.Id, r.Name, r.Percentage, r.Inclusive, r.Country, r.State, r.Active, r.CreatedAt);

    private static async Task<Results<Created<TaxRateResponse>, ProblemHttpResult>> CreateAsync(
        CreateTaxRateRequest request, TaxRateStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var (rate, errors) = TaxRateRequests.Parse(request, time.GetUtcNow());
        if (rate is null)
        {
            return Problems.Validation(errors);
        }

        return await store.CreateAsync(rate, cancellationToken)
            ? TypedResults.Created($"/v1/admin/tax-rates/{rate.Id}", ToWire(rate))
            : Problems.Create(409, "tax_rate_exists", $"A tax rate with the id '{rate.Id}' exists; choose another id.");
    }

    private static async Task<Results<Ok<ListResponse<TaxRateResponse>>, ProblemHttpResult>> ListAsync(
        TaxRateStore store, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("tax_rates", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        return TypedResults.Ok(Lists.ToWire(await store.ListAsync(page, cancellationToken), ToWire));
    }
}
