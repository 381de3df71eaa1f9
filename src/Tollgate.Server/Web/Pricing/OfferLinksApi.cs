using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Web.Pricing;

/// <summary>POST /v1/admin/plans/{code}/offer-links (admin key): a signed, expiring link to the checkout of one plan, private or not.</summary>
public static class OfferLinksApi
{
    public const string LinkKind = "offer-link";

    public static RouteGroupBuilder MapOfferLinks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin").WithTags("Catalog").RequireAuthorization(Policies.Admin);
        group.MapPost("/plans/{code}/offer-links", CreateAsync).ProducesProblems(404, 409);
        return group;
    }

    private static async Task<Results<Created<OfferLinkResponse>, ProblemHttpResult>> CreateAsync(
        string code, CreateOfferLinkRequest request, HttpContext http, CatalogCache catalog, CustomerStore customers, PageSigning signing,
        IOptions<PagesOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var interval = BillingInterval.Monthly;
        var errors = Validate.Errors(
            ("expires_at", request.ExpiresAt <= now || request.ExpiresAt > now.AddDays(90) ? "must be in the future and at most 90 days ahead" : null),
            ("customer", request.Customer is null ? null : Validate.Id(request.Customer)),
            ("billing_period", request.BillingPeriod is null || BillingIntervalNames.TryParse(request.BillingPeriod, out interval) ? null
                : "must be monthly or yearly"));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if ((await catalog.GetAsync(cancellationToken)).Plan(code) is not { IsActive: true } plan)
        {
            return Problems.NotFound("plan", code);
        }

        if (request.BillingPeriod is null)
        {
            interval = plan.Current.Terms.DefaultInterval;
        }

        if (plan.Current.Terms.Price(interval) is null)
        {
            return Problems.Validation("billing_period", $"plan '{code}' has no {interval.ToWire()} price");
        }

        Core.Customers.Customer? customer = null;
        if (request.Customer is { } id && (customer = await customers.GetAsync(id, cancellationToken)) is null)
        {
            return Problems.NotFound("customer", id);
        }

        // The offer sells the plan in the customer's one currency, so a plan that cannot be sold in it makes no link.
        if (customer?.Currency is { } currency && (plan.Current.Terms.Price(interval, currency) is null
            ? $"plan '{code}' has no {interval.ToWire()} price in {currency}; it offers {string.Join(", ", plan.Current.Terms.Currencies)}"
            : plan.Current.Terms.OverageProblem(code, currency)) is { } problem)
        {
            return Problems.Create(409, "currency_mismatch", $"Customer '{customer.Id}' is billed in {currency}, and {problem}.");
        }

        var token = await signing.SignAsync(LinkKind, $"{code}:{interval.ToWire()}", request.ExpiresAt, request.Customer ?? "", cancellationToken);
        var origin = options.Value.OriginFor(http.Request);
        var url = $"{origin}/offer?token={Uri.EscapeDataString(token)}";
        return TypedResults.Created(url, new OfferLinkResponse(url, code, request.Customer, DateTimeOffset.FromUnixTimeSeconds(request.ExpiresAt.ToUnixTimeSeconds())));
    }
}
