using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Server.Auth;
using Tollgate.Server.Billing;
using Tollgate.Server.Grants;
using Tollgate.Server.Http;
using Tollgate.Server.Payments;
using Tollgate.Core.Catalog;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Packs;

/// <summary>Credit packs sold to a customer: by the API (an invoice and the grant at once) or through Stripe Checkout (the grant on payment).</summary>
public static class PacksApi
{
    public static RouteGroupBuilder MapPacks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/customers/{id}/packs").WithTags("Credit grants").RequireAuthorization(Policies.Secret);
        group.MapPost("/", SellAsync).ProducesProblems(400, 404, 409);
        group.MapPost("/checkout-sessions", CheckoutAsync).ProducesProblems(400, 404, 409, 422, 502, 503);
        app.MapGet("/v1/packs", ListAsync).WithTags("Credit grants").RequireAuthorization(Policies.Secret).ProducesProblems(400);
        return group;
    }

    /// <summary>The catalog's packs by code, as a list a client pages through like every other.</summary>
    private static async Task<Results<Ok<ListResponse<CreditPackResponse>>, ProblemHttpResult>> ListAsync(
        string? limit, string? cursor, CatalogCache catalog, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("packs", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        var packs = (await catalog.GetAsync(cancellationToken)).Packs;
        return TypedResults.Ok(Lists.ToWire(Keyset.Walk(packs, page, p => new Cursor(0, p.Code), descending: false), ToWire));
    }

    public static CreditPackResponse ToWire(CreditPack p) =>
        new(p.Code, p.Name, p.Feature, p.Amount, p.PriceCents, p.Currency, p.ExpiresAfterDays, p.StripePriceId,
            p.CurrencyOptions.Count == 0 ? null
                : p.CurrencyOptions.ToDictionary(o => o.Currency, o => new CreditPackCurrencyOption(o.PriceCents, o.StripePriceId), StringComparer.Ordinal));

    private static async Task<Results<Created<PackSaleResponse>, Ok<PackSaleResponse>, ProblemHttpResult>> SellAsync(
        string id, SellPackRequest request, [FromHeader(Name = TollgateHeaders.IdempotencyKey)] string? idempotencyKey,
        [AsParameters] PaymentsApi.Services s, PackSales sales, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        var pack = request.Pack is null ? null : (await s.Catalog.GetAsync(cancellationToken)).Pack(request.Pack);
        var errors = Validate.Errors(
            ("pack", request.Pack is null ? "is required" : pack is null ? $"names no pack in the catalog: '{request.Pack}'" : null),
            ("Idempotency-Key", Validate.IdempotencyKey(idempotencyKey)));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await s.Customers.GetAsync(id, cancellationToken) is not { } customer)
        {
            return Problems.NotFound("customer", id);
        }

        // Sold in the customer's one currency, or the pack's own to a customer without one (which fixes it).
        if (pack!.PriceIn(customer.Currency ?? pack.Currency) is not { } price)
        {
            return PackCurrency.Mismatch(customer.Id, customer.Currency!, pack);
        }

        // With a key, a retry finds the grant this source made; without one, every call is a new sale.
        var source = PackSaleSource.For(id, idempotencyKey);
        PackSale? sale;
        try
        {
            sale = await sales.SellAsync(id, pack, price, request.Paid ?? false, source, cancellationToken);
        }
        catch (CurrencyMismatchException mismatch)
        {
            // The customer took another currency (a first subscription) since it was read; nothing was written.
            return Problems.Create(409, "currency_mismatch", mismatch.Message,
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string> { ["currency"] = mismatch.Message } });
        }

        if (sale is null)
        {
            return Problems.Create(409, "idempotency_mismatch",
                "This Idempotency-Key was used for a different sale (another pack, customer or paid); use a new key for a new sale.");
        }

        var now = time.GetUtcNow();
        var body = new PackSaleResponse(GrantsApi.ToWire(sale.Grant, now), sale.Invoice is null ? null : BillingMapper.ToWire(sale.Invoice));
        return sale.Created
            ? TypedResults.Created($"/v1/customers/{id}/grants/{sale.Grant.Id}", body)
            : TollgateHeaders.Replayed(http, body);
    }

    private static async Task<Results<Ok<CheckoutSessionResponse>, ProblemHttpResult>> CheckoutAsync(
        string id, CreatePackCheckoutRequest request, HttpContext http, IOptions<BrowserCorsOptions> cors,
        [AsParameters] PaymentsApi.Services s, CancellationToken cancellationToken) =>
        http.User.ForeignReturnUrls(cors.Value, ("success_url", request.SuccessUrl), ("cancel_url", request.CancelUrl)) is { Count: > 0 } foreign
            ? Problems.Validation(foreign)
            : await PackCheckout.StartAsync(id, request, s, cancellationToken) switch
        {
            PackCheckoutOutcome.Started started => TypedResults.Ok(new CheckoutSessionResponse(started.Url, started.SessionId)),
            PackCheckoutOutcome.Invalid invalid => Problems.Validation(invalid.Errors),
            PackCheckoutOutcome.CustomerNotFound => Problems.NotFound("customer", id),
            PackCheckoutOutcome.PriceNotLinked unlinked => Problems.Create(422, "price_not_linked",
                $"Pack '{unlinked.Pack}' has no stripe_price_id in {unlinked.Currency}; set it in the catalog to sell it through Stripe.",
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string> { ["pack"] = $"has no Stripe price in {unlinked.Currency}" } }),
            PackCheckoutOutcome.NotInCurrency refused => PackCurrency.Mismatch(refused.Customer, refused.Currency, refused.Pack),
            PackCheckoutOutcome.NotConfigured off => PaymentsApi.NotConfigured(off.Setting),
            PackCheckoutOutcome.StripeCustomerTaken taken => PaymentsApi.StripeCustomerTaken(taken.Customer),
            PackCheckoutOutcome.StripeFailed failed => PaymentsApi.FromStripe(failed.Error),
            _ => throw new InvalidOperationException("Every pack checkout outcome is answered above."),
        };
}
