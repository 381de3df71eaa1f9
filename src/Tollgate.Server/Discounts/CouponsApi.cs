using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Discounts;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Discounts;

/// <summary>Coupons and promotion codes (admin key): create, read, list, delete a coupon, deactivate a code.</summary>
public static class CouponsApi
{
    public static RouteGroupBuilder MapCoupons(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin").WithTags("Discounts").RequireAuthorization(Policies.Admin);
        group.MapPost("/coupons", CreateAsync).ProducesProblems(400, 409).WithIdempotency();
        group.MapGet("/coupons", ListAsync).ProducesProblems(400);
        group.MapGet("/coupons/{id}", async Task<Results<Ok<CouponResponse>, ProblemHttpResult>> (
            string id, CouponStore store, TimeProvider time, CancellationToken ct) =>
            await store.GetAsync(id, ct) is { } c ? TypedResults.Ok(CouponRequests.ToWire(c, time.GetUtcNow())) : Problems.NotFound("coupon", id))
            .ProducesProblems(404);
        group.MapDelete("/coupons/{id}", async Task<Results<Ok<DeletedResponse>, ProblemHttpResult>> (
            string id, CouponStore store, CancellationToken ct) =>
            await store.DeleteAsync(id, ct) ? TypedResults.Ok(new DeletedResponse(id, true)) : Problems.NotFound("coupon", id))
            .ProducesProblems(404);
        group.MapPost("/promotion-codes", CreateCodeAsync).ProducesProblems(400, 409).WithIdempotency();
        group.MapGet("/promotion-codes", ListCodesAsync).ProducesProblems(400);
        group.MapGet("/promotion-codes/{id}", async Task<Results<Ok<PromotionCodeResponse>, ProblemHttpResult>> (
            string id, CouponStore store, TimeProvider time, CancellationToken ct) =>
            await store.GetCodeAsync(id, ct) is { } p ? TypedResults.Ok(await ToWireAsync(p, store, time, ct)) : Problems.NotFound("promotion code", id))
            .ProducesProblems(404);
        group.MapPost("/promotion-codes/{id}/deactivate", async Task<Results<Ok<PromotionCodeResponse>, ProblemHttpResult>> (
            string id, CouponStore store, TimeProvider time, CancellationToken ct) =>
            await store.DeactivateCodeAsync(id, ct) is { } p ? TypedResults.Ok(await ToWireAsync(p, store, time, ct)) : Problems.NotFound("promotion code", id))
            .ProducesProblems(404, 409).WithIdempotency();
        return group;
    }

    private static async Task<Results<Created<CouponResponse>, ProblemHttpResult>> CreateAsync(
        CreateCouponRequest request, CouponStore store, CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (coupon, errors) = CouponRequests.Parse(request, await catalog.GetAsync(cancellationToken), now);
        if (coupon is null)
        {
            return Problems.Validation(errors);
        }

        return await store.CreateAsync(coupon, cancellationToken)
            ? TypedResults.Created($"/v1/admin/coupons/{coupon.Id}", CouponRequests.ToWire(coupon, now))
            : Problems.Create(409, "coupon_exists", $"A coupon with the id '{coupon.Id}' exists or existed; choose another id.");
    }

    private static async Task<Results<Ok<CouponListResponse>, ProblemHttpResult>> ListAsync(
        CouponStore store, TimeProvider time, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("coupons", limit, cursor, out var request, out var problem))
        {
            return problem!;
        }

        var page = await store.ListAsync(request, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new CouponListResponse([.. page.Items.Select(c => CouponRequests.ToWire(c, now))], page.HasMore, page.NextCursor));
    }

    private static async Task<Results<Created<PromotionCodeResponse>, ProblemHttpResult>> CreateCodeAsync(
        CreatePromotionCodeRequest request, CouponStore store, CustomerStore customers, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var coupon = request.Coupon is null ? null : await store.GetAsync(request.Coupon, cancellationToken);
        var customerExists = request.Customer is not null && Validate.Id(request.Customer) is null
            && await customers.GetAsync(request.Customer, cancellationToken) is not null;
        var errors = CouponRequests.Check(request, coupon, customerExists, now);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var code = new PromotionCode(store.NewCodeId(), request.Code!, coupon!.Id, request.MaxRedemptions, request.ExpiresAt, request.FirstTimeOnly,
            request.Customer, request.Active, 0, now);
        return await store.CreateCodeAsync(code, cancellationToken)
            ? TypedResults.Created($"/v1/admin/promotion-codes/{code.Id}", CouponRequests.ToWire(code, coupon, now))
            : Problems.Create(409, "promotion_code_exists", $"The code '{code.Code}' exists already (codes compare without regard to case).");
    }

    private static async Task<Results<Ok<PromotionCodeListResponse>, ProblemHttpResult>> ListCodesAsync(
        CouponStore store, TimeProvider time, string? limit, string? cursor, string? coupon,
        CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("promotion_codes", limit, cursor, out var request, out var problem))
        {
            return problem!;
        }

        var page = await store.ListCodesAsync(request, coupon, cancellationToken);
        var data = new List<PromotionCodeResponse>();
        foreach (var code in page.Items)
        {
            data.Add(await ToWireAsync(code, store, time, cancellationToken));
        }

        return TypedResults.Ok(new PromotionCodeListResponse(data, page.HasMore, page.NextCursor));
    }

    // A code shows its coupon even after the coupon was deleted, as a discount made with it does.
    private static async Task<PromotionCodeResponse> ToWireAsync(PromotionCode code, CouponStore store, TimeProvider time, CancellationToken ct) =>
        CouponRequests.ToWire(code, (await store.GetAsync(code.CouponId, includeDeleted: true, ct))!, time.GetUtcNow());
}
