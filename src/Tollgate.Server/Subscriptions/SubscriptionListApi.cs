using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Billing;
using Tollgate.Server.Http;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Subscriptions;

/// <summary>
/// Subscriptions as a list, newest first, a page at a time. The query is Customers' (it filters on the customer's newest
/// subscription as the customer list does); the answer is Billing's wire shape, so the endpoint sits above both.
/// </summary>
public static class SubscriptionListApi
{
    public static void MapSubscriptionList(this IEndpointRouteBuilder app) =>
        app.MapGet("/v1/subscriptions", SubscriptionsAsync).WithTags("Subscriptions").RequireAuthorization(Policies.Secret)
            .TakesQueryValues("status", CustomerFilters.SubscriptionStatuses);

    private static async Task<Results<Ok<ListResponse<SubscriptionResponse>>, ProblemHttpResult>> SubscriptionsAsync(
        string? customer, string? status, string? plan, string? limit, string? cursor, CustomerLists lists, SubscriptionWire wire,
        CancellationToken cancellationToken)
    {
        var errors = Validate.Errors(
            ("customer", customer is null ? null : Validate.Id(customer)),
            ("plan", plan is null ? null : Validate.Id(plan)),
            ("status", CustomerFilters.StatusProblem(status)));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (!Lists.TryRead("subscriptions", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        var found = await lists.SubscriptionsAsync(new SubscriptionFilter(customer, status, plan), page, cancellationToken);
        return TypedResults.Ok(await wire.ToWireAsync(found, cancellationToken));
    }
}
