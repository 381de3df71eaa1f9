using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Billing;
using Tollgate.Server.Billing;
using Tollgate.Server.Http;
using Tollgate.Server.Payments;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Subscriptions;

/// <summary>Seats on a per-seat price: added at once with proration, removed at the period end unless asked otherwise.</summary>
public static class SeatsApi
{
    public static RouteGroupBuilder MapSeats(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Subscriptions").RequireAuthorization(Policies.Secret);
        group.MapPost("/subscriptions/{id}/seats", ChangeAsync).ProducesProblems(404, 409, 502, 503).WithIdempotency();
        return group;
    }

    private static async Task<Results<Ok<SubscriptionChangeResponse>, ProblemHttpResult>> ChangeAsync(
        string id, ChangeSeatsRequest request, SeatChanges seats, BillingStore billing, StripeSubscriptions stripe, CatalogCache catalog,
        SubscriptionWire wire, CancellationToken cancellationToken)
    {
        var errors = Validate.Errors(
            // 0 passes here so the plan's own range answers it ("sells from 2 to 50 seats"), as it answers 51.
            ("seats", request.Seats is >= 0 and <= 1_000_000 ? null : "must be a whole number from 0 to 1,000,000"),
            ("effective", request.Effective is null or "immediate" or "period_end" ? null : "must be immediate or period_end"),
            ("proration", ProrationBehaviors.TryParse(request.Proration, out var proration) ? null : ProrationBehaviors.Expected));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        ChangeTiming? timing = request.Effective switch { "immediate" => ChangeTiming.Immediate, "period_end" => ChangeTiming.PeriodEnd, _ => null };
        BillingResult result;
        if (await billing.ReadAsync(id, cancellationToken) is { StripeSubscriptionId: not null } linked)
        {
            if (proration == ProrationBehavior.AlwaysInvoice)
            {
                return Problems.Validation("proration", SubscriptionsApi.StripeInvoicesItsOwn);
            }

            var (answered, problem) = await stripe.ChangeSeatsAsync(linked, request.Seats, timing, proration, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            result = answered!;
        }
        else
        {
            result = await seats.ChangeAsync(id, request.Seats, timing, proration, cancellationToken: cancellationToken);
        }

        switch (result)
        {
            case BillingResult.Done done:
                var version = await catalog.GetVersionAsync(done.Subscription.PlanVersionId, cancellationToken);
                return TypedResults.Ok(new SubscriptionChangeResponse(
                    await wire.ToWireAsync(done.Subscription, cancellationToken),
                    done.Effective == ChangeTiming.PeriodEnd ? "period_end" : "immediate",
                    done.EffectiveAt ?? done.Subscription.UpdatedAt,
                    [.. done.Lines.Select(BillingMapper.ToWire)],
                    // Net of the lines' discounts, as a plan change answers it: the gross told a client that a seat removed
                    // under 100 % off once was a credit of its full price (a billing trial).
                    done.Lines.Sum(l => l.NetCents),
                    version?.Terms.Price(done.Subscription.BillingPeriod, done.Subscription.Currency)?.Currency ?? "USD",
                    done.InvoiceId,
                    done.Lines.Sum(l => l.DiscountCents)));
            case BillingResult.Conflict { Error: "seats_out_of_range" } range:
                return Problems.Validation("seats", range.Detail);
            case BillingResult.Conflict conflict:
                return Problems.Create(409, conflict.Error, conflict.Detail);
            default:
                return Problems.NotFound("subscription", id);
        }
    }
}
