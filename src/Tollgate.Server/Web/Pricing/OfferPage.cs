using Microsoft.Extensions.Options;
using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Money;
using Tollgate.Server.Subscriptions;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

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

    /// <summary>
    /// The signed offer, at its price in the named customer's currency (the plan's default for a new buyer, or a customer
    /// without one); <paramref name="Price"/> is null when the plan has no price in that currency, or none that bills all its overage.
    /// </summary>
    private sealed record Offer(Plan Plan, BillingInterval Interval, PlanPrice? Price, string Currency, string? Customer, string Token);

    private static async Task<Offer?> ReadAsync(
        string? token, PageSigning signing, CatalogCache catalog, CustomerStore customers, CancellationToken cancellationToken)
    {
        var (signed, _) = await signing.VerifyAsync(token, OfferLinksApi.LinkKind, cancellationToken);
        var parts = signed?.Subject.Split(':') ?? [];
        if (signed is null || parts.Length != 2 || !BillingIntervalNames.TryParse(parts[1], out var interval)
            || (await catalog.GetAsync(cancellationToken)).Plan(parts[0]) is not { IsActive: true } plan || plan.Current.Terms.Price(interval) is null)
        {
            return null;
        }

        var customer = signed.Extra.Length == 0 ? null : signed.Extra;
        // A customer has one currency: the offer is shown, charged and invoiced at the plan's price in it.
        var terms = plan.Current.Terms;
        var currency = (customer is null ? null : (await customers.GetAsync(customer, cancellationToken))?.Currency) ?? terms.DefaultCurrency!;
        var price = terms.OverageProblem(plan.Code, currency) is null ? terms.Price(interval, currency) : null;
        return new Offer(plan, interval, price, currency, customer, token!);
    }

    private static IResult Gone(HttpContext http) =>
        PageResults.Message(http, 404, "This offer is not available", "The link is wrong or has expired. Ask whoever sent it for a new one.");

    private static IResult NotInCurrency(HttpContext http, Offer offer) =>
        PageResults.Message(http, 409, "This offer is not available in your currency",
            $"Your account is billed in {offer.Currency}, and {offer.Plan.Name} is not sold in it. Ask whoever sent the offer for another plan.");

    private static async Task<IResult> ShowAsync(
        HttpContext http, string? token, string? state, PageSigning signing, CatalogCache catalog, CustomerStore customers, IOptions<PagesOptions> pages,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (await ReadAsync(token, signing, catalog, customers, cancellationToken) is not { } offer)
        {
            return Gone(http);
        }

        if (offer.Price is not { } price)
        {
            return NotInCurrency(http, offer);
        }

        if (state == "paid")
        {
            return PageResults.Message(http, 200, "Thank you", $"Your {offer.Plan.Name} subscription starts as soon as Stripe confirms the payment.");
        }

        var csrf = await AnonymousForm.CsrfAsync(http, signing, pages.Value, time, cancellationToken);
        return PageResults.Render<OfferPageView>(http, new
        {
            View = new OfferView(offer.Plan.Name, offer.Plan.Description, PriceText(price, offer.Interval),
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

        if (await ReadAsync(form["token"], signing, checkout.Catalog, checkout.Customers, cancellationToken) is not { } offer)
        {
            return Gone(http);
        }

        if (offer.Price is not { } price)
        {
            return NotInCurrency(http, offer);
        }

        if (!await AnonymousForm.IsOwnAsync(http, form, signing, cancellationToken))
        {
            return AnonymousForm.Refused(http, "Open the offer link again and press Subscribe.");
        }

        if (checkout.StripeOptions.Value.HasSecretKey && price.StripePriceId is not null)
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
            billingOptions.Value.DaysUntilDue, checkout.Time, price.Currency);
        subscription = subscription with { Seats = price.PerSeat ? price.IncludedSeats : null };
        return await billing.CreateAsync(subscription, cancellationToken) is BillingResult.Done
            ? PageResults.Message(http, 201, "You are subscribed", $"Welcome to {offer.Plan.Name}. Your first invoice follows by email.")
            : PageResults.Message(http, 409, "You already have a subscription", "Change your plan from your account's billing page instead.");
    }
}
