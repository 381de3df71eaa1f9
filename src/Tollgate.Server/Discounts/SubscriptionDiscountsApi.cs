using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Http;

namespace Tollgate.Server.Discounts;

/// <summary>A subscription's discount after it started: read, add (replacing the one it has) or remove.</summary>
public static class SubscriptionDiscountsApi
{
    public static RouteGroupBuilder MapSubscriptionDiscounts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/subscriptions/{id}/discount").WithTags("Subscriptions").RequireAuthorization(Policies.Secret);
        group.MapGet("", async Task<Results<Ok<DiscountResponse>, ProblemHttpResult>> (
            string id, DiscountStore discounts, TimeProvider time, CancellationToken ct) =>
            await discounts.CurrentAsync(id, ct) is { } d ? TypedResults.Ok(CouponRequests.ToWire(d, time.GetUtcNow())) : Problems.NotFound("discount", id))
            .ProducesProblems(404);
        group.MapPost("", AddAsync).ProducesProblems(400, 404, 409).WithIdempotency();
        group.MapDelete("", async Task<Results<Ok<DeletedResponse>, ProblemHttpResult>> (string id, DiscountStore discounts, CancellationToken ct) =>
            await discounts.RemoveAsync(id, ct) switch
            {
                DiscountChange.Done => TypedResults.Ok(new DeletedResponse(id, true)),
                DiscountChange.Conflict conflict => Problems.Create(409, conflict.Error, conflict.Detail),
                _ => Problems.NotFound("subscription", id),
            }).ProducesProblems(404, 409);
        return group;
    }

    private static async Task<Results<Ok<DiscountResponse>, ProblemHttpResult>> AddAsync(
        string id, ApplyDiscountRequest request, DiscountStore discounts, TimeProvider time, CancellationToken cancellationToken)
    {
        if (DiscountRequest.From(request.PromotionCode, request.Coupon) is not { } wanted || (request.PromotionCode is not null && request.Coupon is not null))
        {
            return Problems.Validation("promotion_code", "give a promotion_code or a coupon (one of them)");
        }

        return await discounts.ApplyAsync(id, wanted, cancellationToken) switch
        {
            DiscountChange.Done { Discount: { } d } => TypedResults.Ok(CouponRequests.ToWire(d, time.GetUtcNow())),
            DiscountChange.Refused refused => DiscountProblems.Invalid(refused.Reason, refused.Detail, request.PromotionCode is null ? "coupon" : "promotion_code"),
            DiscountChange.Conflict conflict => Problems.Create(409, conflict.Error, conflict.Detail),
            _ => Problems.NotFound("subscription", id),
        };
    }
}
