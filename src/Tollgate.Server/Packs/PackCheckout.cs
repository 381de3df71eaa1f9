using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Server.Http;
using Tollgate.Server.Payments;

namespace Tollgate.Server.Packs;

/// <summary>What starting a Stripe Checkout for a credit pack came to; the API and the portal each say it in their own words.</summary>
public abstract record PackCheckoutOutcome
{
    private PackCheckoutOutcome()
    {
    }

    public sealed record Started(string Url, string SessionId) : PackCheckoutOutcome;

    public sealed record Invalid(Dictionary<string, string> Errors) : PackCheckoutOutcome;

    public sealed record CustomerNotFound : PackCheckoutOutcome;

    /// <summary>No Stripe price sells the pack in <paramref name="Currency"/>, the customer's (or the pack's own).</summary>
    public sealed record PriceNotLinked(string Pack, string Currency) : PackCheckoutOutcome;

    /// <summary>The customer is billed in <paramref name="Currency"/>, which the pack is not sold in.</summary>
    public sealed record NotInCurrency(string Customer, string Currency, CreditPack Pack) : PackCheckoutOutcome;

    public sealed record NotConfigured(string Setting) : PackCheckoutOutcome;

    public sealed record StripeCustomerTaken(string Customer) : PackCheckoutOutcome;

    public sealed record StripeFailed(StripeException Error) : PackCheckoutOutcome;
}

/// <summary>Opens a payment-mode Stripe Checkout for a catalog pack: the one service the API and the portal's Buy button call.</summary>
public static class PackCheckout
{
    public static async Task<PackCheckoutOutcome> StartAsync(
        string customerId, CreatePackCheckoutRequest request, PaymentsApi.Services s, CancellationToken cancellationToken)
    {
        if (!s.Options.Value.HasSecretKey)
        {
            return new PackCheckoutOutcome.NotConfigured("Tollgate:Stripe:SecretKey");
        }

        var pack = request.Pack is null ? null : (await s.Catalog.GetAsync(cancellationToken)).Pack(request.Pack);
        var errors = Validate.Errors(
            ("pack", request.Pack is null ? "is required" : pack is null ? $"names no pack in the catalog: '{request.Pack}'" : null),
            ("success_url", Validate.HttpUrl(request.SuccessUrl)), ("cancel_url", Validate.HttpUrl(request.CancelUrl)));
        if (errors.Count > 0)
        {
            return new PackCheckoutOutcome.Invalid(errors);
        }

        if (await s.Customers.GetAsync(customerId, cancellationToken) is not { } customer)
        {
            return new PackCheckoutOutcome.CustomerNotFound();
        }

        // Stripe is sent the price in the customer's currency: the pack's own until the customer has one.
        if (pack!.PriceIn(customer.Currency ?? pack.Currency) is not { } price)
        {
            return new PackCheckoutOutcome.NotInCurrency(customer.Id, customer.Currency!, pack);
        }

        if (price.StripePriceId is null)
        {
            return new PackCheckoutOutcome.PriceNotLinked(pack.Code, price.Currency);
        }

        try
        {
            if (await PlanCheckout.StripeCustomerAsync(customer, s, cancellationToken) is not { } stripeCustomer)
            {
                return new PackCheckoutOutcome.StripeCustomerTaken(customer.Id);
            }

            var session = await s.Stripe.CreatePackCheckoutSessionAsync(customer.Id, stripeCustomer, pack, price, request.SuccessUrl!,
                request.CancelUrl!, cancellationToken);
            return new PackCheckoutOutcome.Started(session.Url, session.Id);
        }
        catch (StripeException e)
        {
            return new PackCheckoutOutcome.StripeFailed(e);
        }
    }
}
