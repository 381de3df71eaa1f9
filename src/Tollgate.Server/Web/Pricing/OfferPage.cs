using Microsoft.Extensions.Options;
using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Money;
using Tollgate.Server.Subscriptions;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Web.Pricing;

/// <summary>
/// /offer?token=…: the page an offer link opens. It shows the one plan the link was signed for and subscribes to it,
/// through Stripe Checkout when Stripe sells the price, else on an invoice. A tampered or expired link shows nothing of any plan.
/// </summary>
public static class OfferPage
{
    public static IEndpointRouteBuilder MapOfferPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/offer", ShowAsync).ExcludeFromDescription().AllowAnonymous();
        app.MapPost("/offer", AcceptAsync).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        return app;
    }

    /// <summary>What an offer shows: the plan, its price and features, and the Subscribe form (with an e-mail field when the link names no customer).</summary>
    public sealed record OfferView(string PlanName, string? Description, string Price, IReadOnlyList<string> Features, string Csrf, string Token, bool AsksForEmail);

    private sealed record Offer(Plan Plan, BillingInterval Interval, PlanPrice Price, string? Customer, string Token);

    private static async Task<Offer?> ReadAsync(string? token, PageSigning signing, CatalogCache catalog, CancellationToken cancellationToken)
    {
        var (signed, _) = await signing.VerifyAsync(token, OfferLinksApi.LinkKind, cancellationToken);
        var parts = signed?.Subject.Split(':') ?? [];
        if (signed is null || parts.Length != 2 || !BillingIntervalNames.TryParse(parts[1], out var interval)
            || (await catalog.GetAsync(cancellationToken)).Plan(parts[0]) is not { IsActive: true } plan || plan.Current.Terms.Price(interval) is not { } price)
        {
            return null;
        }

        return new Offer(plan, interval, price, signed.Extra.Length == 0 ? null : signed.Extra, token!);
    }

    private static IResult Gone(HttpContext http) =>
        PageResults.Message(http, 404, "This offer is not available", "The link is wrong or has expired. Ask whoever sent it for a new one.");

    private static async Task<IResult> ShowAsync(
        HttpContext http, string? token, string? state, PageSigning signing, CatalogCache catalog, IOptions<PagesOptions> pages, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await ReadAsync(token, signing, catalog, cancellationToken) is not { } offer)
        {
            return Gone(http);
        }

        if (state == "paid")
        {
            return PageResults.Message(http, 200, "Thank you", $"Your {offer.Plan.Name} subscription starts as soon as Stripe confirms the payment.");
        }

        var csrf = await AnonymousForm.CsrfAsync(http, signing, pages.Value, time, cancellationToken);
        return PageResults.Render<OfferPageView>(http, new
        {
            View = new OfferView(offer.Plan.Name, offer.Plan.Description, PriceText(offer.Price, offer.Interval),
                [.. offer.Plan.Current.Terms.Features.Where(f => f.IsIncluded).Select(f => $"{f.FeatureCode}: {QuotaDisplay.For(f)}")],
                csrf, offer.Token, AsksForEmail: offer.Customer is null),
        });
    }

    private static string PriceText(PlanPrice price, BillingInterval interval) =>
        $"{MinorUnits.Display(price.PriceCents, price.Currency)}{(price.PerSeat ? " per seat" : "")} a {(interval == BillingInterval.Yearly ? "year" : "month")}";

    private static async Task<IResult> AcceptAsync(
        HttpContext http, PageSigning signing, BillingStore billing, IOptions<BillingOptions> billingOptions, [AsParameters] PageCheckout.Services checkout,
        CancellationToken cancellationToken)
    {
        var (form, refusal) = await PageCheckout.ReadAsync(http, checkout, "This is not the offer form", "Open the offer link and press Subscribe.",
            cancellationToken);
        if (form is null)
        {
            return refusal!;
        }

        if (await ReadAsync(form["token"], signing, checkout.Catalog, cancellationToken) is not { } offer)
        {
            return Gone(http);
        }

        if (!await AnonymousForm.IsOwnAsync(http, form, signing, cancellationToken))
        {
            return AnonymousForm.Refused(http, "Open the offer link again and press Subscribe.");
        }

        if (checkout.StripeOptions.Value.HasSecretKey && offer.Price.StripePriceId is not null)
        {
            var sale = new PageSale(offer.Plan, offer.Interval, $"/offer?token={Uri.EscapeDataString(offer.Token)}", offer.Customer);
            return await PageCheckout.CheckoutAsync(http, sale, form["email"], checkout, cancellationToken);
        }

        var customer = offer.Customer;
        if (customer is null)
        {
            var email = form["email"].ToString();
            if (!EmailAddress.IsValid(email)) // the rule PUT /v1/customers applies, so no form stores an address the API would refuse
            {
                return PageResults.Message(http, 400, "An email address is needed", "Go back and enter the email address to subscribe with.");
            }

            // Always a new customer: this path takes no payment and no proof of the address, so an e-mail typed here must not
            // subscribe (and invoice) the account that has it. An offer for an existing customer names it in the link.
            customer = Ids.New("cus", checkout.Time);
            await checkout.Customers.UpsertAsync(customer, email, null, null, cancellationToken: cancellationToken);
        }

        var subscription = NewSubscription.Build(customer, offer.Plan, offer.Interval, null, CollectionMethod.SendInvoice,
            billingOptions.Value.DaysUntilDue, checkout.Time);
        subscription = subscription with { Seats = offer.Price.PerSeat ? offer.Price.IncludedSeats : null };
        return await billing.CreateAsync(subscription, cancellationToken) is BillingResult.Done
            ? PageResults.Message(http, 201, "You are subscribed", $"Welcome to {offer.Plan.Name}. Your first invoice follows by email.")
            : PageResults.Message(http, 409, "You already have a subscription", "Change your plan from your account's billing page instead.");
    }
}
