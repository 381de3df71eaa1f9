using Tollgate.Contracts;
using Tollgate.Server.Packs;
using Tollgate.Server.Payments;

namespace Tollgate.Server.Web.Portal;

/// <summary>The portal's credit packs: what the catalog sells, with a Buy button to Stripe Checkout for packs linked to Stripe.</summary>
public static partial class PortalPages
{
    private static async Task<IResult> BuyPackAsync(
        HttpContext http, PortalData data, [AsParameters] PaymentsApi.Services payments, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var back = $"{data.Options.Value.OriginFor(http.Request)}/portal";
        var pack = (await http.Request.ReadFormAsync(cancellationToken))["pack"].ToString();
        return await PackCheckout.StartAsync(session.Customer, new CreatePackCheckoutRequest(pack, back, back), payments, cancellationToken) switch
        {
            PackCheckoutOutcome.Started started => Results.Redirect(started.Url),
            PackCheckoutOutcome.Invalid => PageResults.Message(http, 400, "This pack cannot be bought", "There is no such pack. Choose one of the packs listed in the portal."),
            PackCheckoutOutcome.CustomerNotFound => PageResults.Message(http, 404, "This account was not found", "Open the billing portal from your account in the app again."),
            PackCheckoutOutcome.PriceNotLinked => PageResults.Message(http, 422, "This pack cannot be bought here", "This pack is not sold online. Contact us to buy it."),
            PackCheckoutOutcome.NotInCurrency refused => PageResults.Message(http, 409, "This pack cannot be bought in your currency",
                $"Your account is billed in {refused.Currency}, and {refused.Pack.Name} is not sold in it. Contact us to buy it."),
            PackCheckoutOutcome.StripeCustomerTaken taken => PageResults.Message(http, 409, "This pack cannot be bought now",
                $"The Stripe customer made for '{taken.Customer}' is already linked to another customer."),
            // Only Stripe's own failures are "Stripe is not available": off (503) or refusing or unreachable (502).
            PackCheckoutOutcome.NotConfigured off => PageResults.Message(http, 503, "Stripe is not available",
                $"Payments through Stripe are off: set {off.Setting} to turn them on."),
            PackCheckoutOutcome.StripeFailed failed => PageResults.Message(http, 502, "Stripe is not available", failed.Error.Message),
            _ => PageResults.Message(http, 502, "Stripe is not available", "Try again later."),
        };
    }
}
