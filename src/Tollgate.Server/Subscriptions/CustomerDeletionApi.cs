using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Http;
using Tollgate.Server.Payments;
using Tollgate.Server.Billing;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Subscriptions;

/// <summary>
/// GDPR: delete a customer (cancel, then erase the personal data, keeping ids and amounts) and export what is held about one.
/// It lives with Subscriptions because deleting starts by cancelling the live subscription, through Stripe or locally,
/// which is this folder's choice to make; Customers only erases.
/// </summary>
public static class CustomerDeletionApi
{
    public static RouteGroupBuilder MapCustomerDeletion(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/customers").WithTags("Customers").RequireAuthorization(Policies.Secret);
        group.MapDelete("/{id}", DeleteAsync).ProducesProblems(409, 502, 503);
        group.MapGet("/{id}/export", ExportAsync).Produces(StatusCodes.Status200OK, typeof(System.Text.Json.Nodes.JsonObject), "application/json");
        return group;
    }

    private static async Task<Results<Ok<CustomerDeletedResponse>, ProblemHttpResult>> DeleteAsync(
        string id, bool? prorate, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "bill_usage")] bool? billUsage, CustomerStore customers,
        BillingStore billing, StripeSubscriptions stripe, CustomerErasure erasure, Server.Keys.CustomerSessionStore sessions,
        CancellationToken cancellationToken)
    {
        string? canceled = null, invoice = null;
        // A subscription created between the cancel and the erasure sends us round once more; the erasure refuses to run past one.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await customers.GetAsync(id, cancellationToken) is null)
            {
                return Problems.NotFound("customer", id);
            }

            if (await customers.GetLiveSubscriptionAsync(id, cancellationToken) is { } live)
            {
                var (result, problem) = await CancelForm.CancelAsync(live, atPeriodEnd: false, creditUnused: prorate == true, null, billing, stripe,
                    cancellationToken, billUsage != false);
                switch (problem, result)
                {
                    case ({ } refused, _):
                        return refused;
                    case (_, BillingResult.Done done):
                        (canceled, invoice) = (done.Subscription.Id, done.InvoiceId);
                        break;
                    case (_, BillingResult.Conflict conflict) when conflict.Error != "subscription_not_live":
                        return Problems.Create(409, conflict.Error, conflict.Detail);
                }
            }

            var (outcome, deletedAt) = await erasure.EraseAsync(id, cancellationToken);
            switch (outcome)
            {
                case ErasureOutcome.Erased:
                    await sessions.RevokeAllAsync(id, cancellationToken); // an erased customer's browser reads nothing more
                    return TypedResults.Ok(new CustomerDeletedResponse(id, true, deletedAt, canceled, invoice));
                case ErasureOutcome.NotFound:
                    return Problems.NotFound("customer", id);
            }
        }

        return Problems.Create(409, "subscription_changed", "A subscription was created for the customer during the deletion; retry the DELETE.");
    }

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ExportAsync(
        string id, CustomerStore customers, CustomerDataExport export, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        return TypedResults.Stream(body => export.WriteAsync(id, body, time.GetUtcNow(), cancellationToken), "application/json",
            fileDownloadName: $"customer-{id}.json");
    }
}
