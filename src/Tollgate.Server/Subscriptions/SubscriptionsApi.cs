using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Client.Contracts;
using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Periods;
using Tollgate.Server.Auth;
using Tollgate.Server.Hosting;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Customers;

namespace Tollgate.Server.Subscriptions;

/// <summary>Subscriptions: a customer on a plan version, with anniversary periods.</summary>
public static class SubscriptionsApi
{
    public static RouteGroupBuilder MapSubscriptions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/subscriptions").WithTags("Subscriptions").RequireAuthorization(Policies.Secret);
        group.MapPost("/", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        return group;
    }

    public static async Task<SubscriptionResponse> ToWireAsync(Subscription s, CatalogCache catalog, CancellationToken cancellationToken)
    {
        var version = await catalog.GetVersionAsync(s.PlanVersionId, cancellationToken);
        return new SubscriptionResponse(s.Id, s.CustomerId, s.PlanCode, version?.Version ?? 0, s.BillingPeriod.ToWire(), s.Status.ToWire(),
            s.CurrentPeriodStart, s.CurrentPeriodEnd, s.TrialEndAt, s.CancelAtPeriodEnd, s.CanceledAt, s.CreatedAt);
    }

    private static async Task<Results<Created<SubscriptionResponse>, ProblemHttpResult>> CreateAsync(
        CreateSubscriptionRequest request, ICustomerStore customers, CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validate.Errors(("customer", Validate.Id(request.Customer)),
            ("billing_period", BillingIntervalNames.TryParse(request.BillingPeriod, out var interval) ? null : "must be monthly or yearly"));
        var plan = (await catalog.GetAsync(cancellationToken)).Plan(request.Plan);
        if (plan is not { IsActive: true })
        {
            errors["plan"] = $"no active plan '{request.Plan}'";
        }
        else if (errors.Count == 0 && plan.Current.Terms.Price(interval) is null)
        {
            errors["billing_period"] = $"plan '{plan.Code}' has no {request.BillingPeriod} price";
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await customers.GetAsync(request.Customer, cancellationToken) is null)
        {
            return Problems.NotFound("customer", request.Customer);
        }

        var now = time.GetUtcNow();
        var first = BillingPeriod.Nth(now, interval, 0);
        var subscription = new Subscription(Ids.New("sub", time), request.Customer, plan!.Code, plan.Current.Id, interval,
            SubscriptionStatus.Active, now, first.Start, first.End, null, false, null, now, now);
        if (!await customers.InsertSubscriptionAsync(subscription, cancellationToken))
        {
            return Problems.Create(409, "subscription_exists", $"Customer '{request.Customer}' already has a live subscription; change it instead.");
        }

        return TypedResults.Created($"/v1/subscriptions/{subscription.Id}", await ToWireAsync(subscription, catalog, cancellationToken));
    }

    private static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> GetAsync(
        string id, ICustomerStore customers, CatalogCache catalog, CancellationToken cancellationToken) =>
        await customers.GetSubscriptionAsync(id, cancellationToken) is { } s
            ? TypedResults.Ok(await ToWireAsync(s, catalog, cancellationToken))
            : Problems.NotFound("subscription", id);
}
