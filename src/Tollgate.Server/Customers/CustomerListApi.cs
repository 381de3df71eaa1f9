using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Http;

namespace Tollgate.Server.Customers;

/// <summary>Customers as a list: newest first, searchable, a page at a time.</summary>
public static class CustomerListApi
{
    public static RouteGroupBuilder MapCustomerLists(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").RequireAuthorization(Policies.Secret);
        group.MapGet("/customers", CustomersAsync).WithTags("Customers").TakesQueryValues("status", CustomerFilters.SubscriptionStatuses);
        return group;
    }

    /// <summary>query is a prefix of the id, e-mail or name (any case); plan and status are those of the newest subscription.</summary>
    private static async Task<Results<Ok<ListResponse<CustomerResponse>>, ProblemHttpResult>> CustomersAsync(
        string? query, string? plan, string? status, string? limit, string? cursor, CustomerLists lists, CancellationToken cancellationToken)
    {
        var errors = CustomerFilters.Read(query, plan, status, "query", out var filter);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (!Lists.TryRead("customers", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        var found = await lists.CustomersAsync(filter, page, cancellationToken);
        return TypedResults.Ok(Lists.ToWire(found, CustomersApi.ToWire));
    }
}
