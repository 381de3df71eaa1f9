using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Customers;
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
        var millionths = request.Percentage is { } p ? TaxRate.MillionthsOf(p) : null;
        var errors = Validate.Errors(
            ("id", Validate.Id(request.Id)),
            ("name", request.Name is { Length: >= 1 and <= 100 } name && !string.IsNullOrWhiteSpace(name) ? null : "must be 1-100 characters"),
            ("percentage", request.Percentage is null ? "is required: the rate in percent, such as 19 or 6.25"
                : millionths is null ? "must be above 0 and below 100, with at most four decimals" : null),
            ("inclusive", request.Inclusive is null ? "is required: true when prices already hold the tax, false when it is added on top" : null),
            ("country", request.Country is null || CountryCodes.IsAssigned(request.Country) ? null
                : $"'{request.Country}' is not an ISO 3166-1 alpha-2 code (two upper-case letters, such as \"DE\" or \"US\")"),
            ("state", request.State is null ? null
                : request.Country is null ? "only goes with country"
                : request.State.Trim() is { Length: >= 1 and <= 100 } ? null : "must be 1-100 characters"));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var rate = new TaxRate(request.Id!, request.Name!.Trim(), millionths!.Value, request.Inclusive!.Value, request.Country, request.State?.Trim(), true,
            time.GetUtcNow());
        return await store.CreateAsync(rate, cancellationToken)
            ? TypedResults.Created($"/v1/admin/tax-rates/{rate.Id}", ToWire(rate))
            : Problems.Create(409, "tax_rate_exists", $"A tax rate with the id '{rate.Id}' exists; choose another id.");
    }

    private static async Task<Results<Ok<ListResponse<TaxRateResponse>>, ProblemHttpResult>> ListAsync(
        TaxRateStore store, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        return TypedResults.Ok(Lists.ToWire(await store.ListAsync(page, cancellationToken), ToWire));
    }
}
