using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Billing;
using Tollgate.Server.Discounts;
using Tollgate.Server.Experiments;
using Tollgate.Server.Http;
using Tollgate.Server.Payments;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Subscriptions;

/// <summary>Subscriptions through their whole life: trial, change with proration, cancel and undo.</summary>
public static class SubscriptionsApi
{
    public static RouteGroupBuilder MapSubscriptions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Subscriptions").RequireAuthorization(Policies.Secret);
        group.MapPost("/subscriptions", CreateAsync).ProducesProblems(400, 404, 409).WithIdempotency();
        group.MapGet("/subscriptions/{id}", GetAsync);
        group.MapGet("/customers/{id}/subscriptions", ListAsync);
        group.MapPost("/subscriptions/{id}/change", (string id, ChangeSubscriptionRequest request, BillingStore billing, CatalogCache catalog,
            StripeSubscriptions stripe, SubscriptionWire wire, CancellationToken ct) => ChangeAsync(id, request, preview: false, billing, catalog, stripe, wire, ct))
            .ProducesProblems(409, 422, 502, 503).WithIdempotency();
        group.MapPost("/subscriptions/{id}/change/preview", (string id, ChangeSubscriptionRequest request, BillingStore billing, CatalogCache catalog,
            StripeSubscriptions stripe, SubscriptionWire wire, CancellationToken ct) => ChangeAsync(id, request, preview: true, billing, catalog, stripe, wire, ct))
            .ProducesProblems(409, 422);
        group.MapPost("/subscriptions/{id}/cancel", CancelAsync).ProducesProblems(409, 502, 503).WithIdempotency();
        group.MapPost("/subscriptions/{id}/undo-cancel", UndoCancelAsync).ProducesProblems(409, 502, 503).WithIdempotency();
        return group;
    }

    /// <summary>Why always_invoice is refused on a Stripe-billed subscription; the seats endpoint says the same.</summary>
    internal const string StripeInvoicesItsOwn =
        "always_invoice is for subscriptions Tollgate invoices; Stripe bills this one, so its prorations go on Stripe's next invoice";

    private static async Task<Results<Created<SubscriptionResponse>, ProblemHttpResult>> CreateAsync(
        CreateSubscriptionRequest request, CustomerStore customers, BillingStore billing, CatalogCache catalog, IOptions<BillingOptions> options,
        ExperimentPricing experiments, SubscriptionWire wire, TimeProvider time, CancellationToken cancellationToken)
    {
        var interval = BillingInterval.Monthly;
        var errors = Validate.Errors(("customer", Validate.Id(request.Customer)),
            ("billing_period", request.BillingPeriod is null || BillingIntervalNames.TryParse(request.BillingPeriod, out interval)
                ? null : "must be monthly or yearly"),
            ("trial_days", request.TrialDays is < 0 or > 730 ? "must be from 0 to 730" : null),
            ("collection_method", request.CollectionMethod is null or "send_invoice" or "charge_automatically"
                ? null : "must be send_invoice or charge_automatically"),
            ("days_until_due", request.DaysUntilDue is < 0 or > 365 ? "must be from 0 to 365" : null),
            ("visitor_id", request.VisitorId is null ? null : Validate.Id(request.VisitorId)),
            ("coupon", request.PromotionCode is not null && request.Coupon is not null ? "give a promotion_code or a coupon, not both" : null),
            ("currency", request.Currency is null || Core.Money.Currency.Canonical(request.Currency) is not null
                ? null : "must be a three-letter ISO 4217 code, such as \"EUR\" or \"eur\""));
        var plan = (await catalog.GetAsync(cancellationToken)).Plan(request.Plan);
        if (plan is not { IsActive: true })
        {
            errors["plan"] = $"no active plan '{request.Plan}'";
        }
        else if (errors.Count == 0)
        {
            interval = request.BillingPeriod is null ? plan.Current.Terms.DefaultInterval : interval;
            if (plan.Current.Terms.Price(interval) is null)
            {
                errors["billing_period"] = $"plan '{plan.Code}' has no {interval.ToWire()} price";
            }
        }

        SeatsAndDeals.Check(request, errors.Count == 0 ? plan!.Current.Terms.Price(interval) : null, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await customers.GetAsync(request.Customer, cancellationToken) is not { } customer)
        {
            return Problems.NotFound("customer", request.Customer);
        }

        // The subscription's currency: the one asked for, else the customer's, else the plan's first.
        var terms = plan!.Current.Terms;
        // A code sent in lower case ("eur", as Stripe writes it) is the same currency: stored and answered in capitals.
        var asked = Core.Money.Currency.Canonical(request.Currency);
        var currency = asked ?? customer.Currency ?? terms.DefaultCurrency!;
        if (terms.Price(interval, currency) is null)
        {
            var offered = $"plan '{plan.Code}' has no {interval.ToWire()} price in {currency}; it offers {string.Join(", ", terms.Currencies)}";
            return asked is not null
                ? Problems.Validation("currency", offered)
                : Problems.Create(409, "currency_mismatch", $"Customer '{customer.Id}' is billed in {currency}, and {offered}.");
        }

        if (terms.OverageProblem(plan.Code, currency) is { } overage)
        {
            return Problems.Validation("currency", overage);
        }

        if (customer.Currency is { } fixedCurrency && fixedCurrency != currency)
        {
            return Problems.Create(409, "currency_mismatch", CustomerCurrency.Mismatch(customer.Id, fixedCurrency, currency));
        }

        var offer = request.VisitorId is null ? null : await experiments.OfferAsync(request.VisitorId, plan!.Code, interval, cancellationToken);
        var subscription = NewSubscription.Build(request.Customer, plan!, interval, request.TrialDays,
            SubscriptionStatusNames.ParseCollection(request.CollectionMethod ?? "send_invoice"), request.DaysUntilDue ?? options.Value.DaysUntilDue, time,
            currency)
            // A variant prices the plan's default currency; a subscription in another pays that currency's price.
            with { PriceOverride = currency == terms.DefaultCurrency ? offer?.OverrideFor(plan!.Current) : null };
        subscription = SeatsAndDeals.Apply(subscription, request, plan!.Current);
        var result = await billing.CreateAsync(subscription, DiscountRequest.From(request.PromotionCode, request.Coupon), cancellationToken);
        // A conversion counts for the variant only where its price was what the buyer paid (the default currency).
        if (offer is not null && currency == terms.DefaultCurrency && result is BillingResult.Done converted)
        {
            await experiments.ConvertAsync(offer, converted.Subscription, cancellationToken);
        }

        return result switch
        {
            BillingResult.Done done => TypedResults.Created($"/v1/subscriptions/{done.Subscription.Id}",
                await wire.ToWireAsync(done.Subscription, cancellationToken)),
            BillingResult.Conflict conflict => Problems.Create(409, conflict.Error, conflict.Detail),
            BillingResult.DiscountRefused refused => DiscountProblems.Invalid(refused.Reason, refused.Detail, request.PromotionCode is null ? "coupon" : "promotion_code"),
            _ => Problems.NotFound("customer", request.Customer),
        };
    }

    private static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> GetAsync(
        string id, CustomerStore customers, SubscriptionWire wire, CancellationToken cancellationToken) =>
        await customers.GetSubscriptionAsync(id, cancellationToken) is { } s
            ? TypedResults.Ok(await wire.ToWireAsync(s, cancellationToken))
            : Problems.NotFound("subscription", id);

    private static async Task<Results<Ok<ListResponse<SubscriptionResponse>>, ProblemHttpResult>> ListAsync(
        string id, string? limit, string? cursor, CustomerStore customers, CustomerLists lists, SubscriptionWire wire, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("subscriptions", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        var found = await lists.SubscriptionsAsync(new SubscriptionFilter(Customer: id), page, cancellationToken);
        return TypedResults.Ok(await wire.ToWireAsync(found, cancellationToken));
    }

    private static async Task<Results<Ok<SubscriptionChangeResponse>, ProblemHttpResult>> ChangeAsync(
        string id, ChangeSubscriptionRequest request, bool preview, BillingStore billing, CatalogCache catalog, StripeSubscriptions stripe,
        SubscriptionWire wire, CancellationToken cancellationToken)
    {
        var plan = (await catalog.GetAsync(cancellationToken)).Plan(request.Plan);
        var errors = Validate.Errors(
            ("plan", plan is { IsActive: true } ? null : $"no active plan '{request.Plan}'"),
            ("billing_period", request.BillingPeriod is null || BillingIntervalNames.TryParse(request.BillingPeriod, out _) ? null : "must be monthly or yearly"),
            ("effective", request.Effective is null or "immediate" or "period_end" ? null : "must be immediate or period_end"),
            ("proration", ProrationBehaviors.TryParse(request.Proration, out var proration) ? null : ProrationBehaviors.Expected),
            ("coupon", request.PromotionCode is not null && request.Coupon is not null ? "give a promotion_code or a coupon, not both" : null));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var current = await billing.ReadAsync(id, cancellationToken);
        if (current is null)
        {
            return Problems.NotFound("subscription", id);
        }

        // Left out, the period stays; a plan not sold in it is bought in the period it is sold in (a yearly-only plan yearly).
        BillingInterval interval = plan!.Current.Terms.Price(current.BillingPeriod) is null ? plan.Current.Terms.DefaultInterval : current.BillingPeriod;
        if (request.BillingPeriod is not null)
        {
            BillingIntervalNames.TryParse(request.BillingPeriod, out interval);
        }

        if (plan.Current.Terms.Price(interval) is null)
        {
            return Problems.Validation("billing_period", $"plan '{plan.Code}' has no {interval.ToWire()} price");
        }

        // An ended subscription changes to nothing, its own plan included: that is not_live, as for any other plan.
        if (!current.IsLive)
        {
            return Problems.Create(409, "subscription_not_live", $"The subscription is {current.Status.ToWire()}; start a new one instead.");
        }

        if (current.AlreadyOn(plan.Current.Id, interval))
        {
            return Problems.Create(409, BillingResult.NoChange.Error, BillingResult.NoChange.Detail);
        }

        // A plan without the subscription's currency is a currency_mismatch below; one with it must price its overage in it too.
        if (plan.Current.Terms.Offers(current.Currency) && plan.Current.Terms.OverageProblem(plan.Code, current.Currency) is { } overage)
        {
            return Problems.Validation("currency", overage);
        }

        ChangeTiming? timing = request.Effective switch { "immediate" => ChangeTiming.Immediate, "period_end" => ChangeTiming.PeriodEnd, _ => null };
        if (current.StripeSubscriptionId is not null && proration == ProrationBehavior.AlwaysInvoice)
        {
            return Problems.Validation("proration", StripeInvoicesItsOwn);
        }

        if (current.StripeSubscriptionId is not null && (request.PromotionCode ?? request.Coupon) is not null)
        {
            return Problems.Create(409, "managed_by_stripe", "This subscription is billed through Stripe: its discounts are set there and arrive by webhook.");
        }

        if (current.StripeSubscriptionId is not null)
        {
            // Stripe bills it, so Stripe changes it; Tollgate stores Stripe's answer.
            var (done, problem) = await stripe.ChangeAsync(current, plan, interval, timing, proration, preview, cancellationToken);
            return problem ?? await ChangeResponseAsync(done!, id, wire, cancellationToken);
        }

        var result = await billing.ChangePlanAsync(id, plan.Current, interval, timing, proration, preview,
            DiscountRequest.From(request.PromotionCode, request.Coupon), cancellationToken);
        return result is BillingResult.DiscountRefused refused
            ? DiscountProblems.Invalid(refused.Reason, refused.Detail, request.PromotionCode is null ? "coupon" : "promotion_code")
            : await ChangeResponseAsync(result, id, wire, cancellationToken);
    }

    private static async Task<Results<Ok<SubscriptionChangeResponse>, ProblemHttpResult>> CancelAsync(
        string id, CancelSubscriptionRequest? request, BillingStore billing, SubscriptionWire wire,
        StripeSubscriptions stripe, CancellationToken cancellationToken)
    {
        request ??= new CancelSubscriptionRequest(); // every field is optional, so the body may be left out
        if (CancellationReasons.Check(request.Reason, request.Comment) is { } bad)
        {
            return Problems.Validation(bad.Field, bad.Problem);
        }

        // The usage of a period that runs on to its end is billed then; only an immediate cancel can waive it.
        if (!request.BillUsage && request.AtPeriodEnd)
        {
            return Problems.Validation("bill_usage", "may be false only with at_period_end false: the period's usage is billed when it ends");
        }

        if (await billing.ReadAsync(id, cancellationToken) is { StripeSubscriptionId: not null } linked)
        {
            var reason = (request.Reason ?? request.Comment) is null ? null : new CancellationFeedback(request.Reason, request.Comment);
            var (done, problem) = await stripe.CancelAsync(linked, request.AtPeriodEnd, request.CreditUnused, reason, cancellationToken, request.BillUsage);
            return problem ?? await ChangeResponseAsync(done!, id, wire, cancellationToken);
        }

        return await ChangeResponseAsync(await billing.CancelAsync(id, request.AtPeriodEnd, request.CreditUnused, request.Reason, request.Comment,
            request.BillUsage, cancellationToken), id, wire, cancellationToken);
    }

    private static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> UndoCancelAsync(
        string id, BillingStore billing, SubscriptionWire wire, StripeSubscriptions stripe, CancellationToken cancellationToken)
    {
        var linked = await billing.ReadAsync(id, cancellationToken) is { StripeSubscriptionId: not null } s ? s : null;
        var (result, problem) = linked is not null
            ? await stripe.UndoCancelAsync(linked, cancellationToken)
            : (await billing.UndoCancelAsync(id, cancellationToken), null);
        if (problem is not null)
        {
            return problem;
        }

        return result switch
        {
            BillingResult.Done done => TypedResults.Ok(await wire.ToWireAsync(done.Subscription, cancellationToken)),
            BillingResult.Conflict conflict => Problems.Create(409, conflict.Error, conflict.Detail),
            _ => Problems.NotFound("subscription", id),
        };
    }

    private static async Task<Results<Ok<SubscriptionChangeResponse>, ProblemHttpResult>> ChangeResponseAsync(
        BillingResult result, string id, SubscriptionWire wire, CancellationToken cancellationToken)
    {
        switch (result)
        {
            case BillingResult.Done done:
                var version = await wire.Catalog.GetVersionAsync(done.Subscription.PlanVersionId, cancellationToken);
                var currency = version?.Terms.Price(done.Subscription.BillingPeriod, done.Subscription.Currency)?.Currency ?? "USD";
                // The lines for the next invoice at their net, plus the invoice issued now (or, for a preview, that would be) at its
                // total, exclusive tax included: what the invoice shows.
                var exclusiveTax = done.Invoice is { } i ? i.TotalCents - (i.SubtotalCents - i.DiscountCents) : 0;
                return TypedResults.Ok(new SubscriptionChangeResponse(
                    await wire.ToWireAsync(done.Subscription, cancellationToken),
                    done.Effective == ChangeTiming.PeriodEnd ? "period_end" : "immediate",
                    done.EffectiveAt ?? done.Subscription.UpdatedAt,
                    [.. done.Lines.Select(BillingMapper.ToWire)],
                    done.Lines.Sum(l => l.NetCents) + exclusiveTax,
                    currency,
                    done.InvoiceId,
                    done.Lines.Sum(l => l.DiscountCents),
                    done.Invoice?.TaxCents ?? 0,
                    done.Invoice is { } invoice ? BillingMapper.ToWire(invoice) : null));
            case BillingResult.Conflict conflict:
                return Problems.Create(409, conflict.Error, conflict.Detail);
            default:
                return Problems.NotFound("subscription", id);
        }
    }
}
