using System.Globalization;
using System.Text;
using Tollgate.Client.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Money;
using Tollgate.Server.Grants;
using Tollgate.Server.Payments;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Portal;

/// <summary>The portal's credit packs: what the catalog sells, with a Buy button to Stripe Checkout for packs linked to Stripe.</summary>
public static partial class PortalPages
{
    private static string PacksSection(IReadOnlyList<CreditPack> packs, IReadOnlyList<Feature> features, PortalSession session, bool stripe)
    {
        if (packs.Count == 0)
        {
            return "";
        }

        var section = new StringBuilder("""<section aria-labelledby="packs-title"><h2 id="packs-title">Credit packs</h2><ul class="packs">""");
        foreach (var pack in packs)
        {
            var unit = features.FirstOrDefault(f => f.Code == pack.Feature) is { } feature ? feature.Unit is { Length: > 0 } u ? u : feature.Name : pack.Feature;
            var expiry = pack.ExpiresAfterDays is { } days ? $", valid {days} days" : "";
            // Only a pack with a Stripe price can be bought here; the rest are sold by the operator (POST /v1/customers/{id}/packs).
            var buy = stripe && pack.StripePriceId is not null
                ? $"""<form class="inline" method="post" action="/portal/packs/checkout">{CsrfField(session.Csrf)}<input type="hidden" name="pack" value="{E(pack.Code)}"><button type="submit">Buy</button></form>"""
                : "";
            section.Append(CultureInfo.InvariantCulture, $"""
                <li><strong>{E(pack.Name)}</strong> · {E(pack.Amount.ToString("N0", CultureInfo.InvariantCulture))} {E(unit)}{E(expiry)} ·
                {E(MinorUnits.Display(pack.PriceCents, pack.Currency))} {buy}</li>
                """);
        }

        return section.Append("</ul></section>").ToString();
    }

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
            PackCheckoutOutcome.Invalid => Message(http, 400, "This pack cannot be bought", "There is no such pack. Choose one of the packs listed in the portal."),
            PackCheckoutOutcome.CustomerNotFound => Message(http, 404, "This account was not found", "Open the billing portal from your account in the app again."),
            PackCheckoutOutcome.PriceNotLinked => Message(http, 422, "This pack cannot be bought here", "This pack is not sold online. Contact us to buy it."),
            PackCheckoutOutcome.StripeCustomerTaken taken => Message(http, 409, "This pack cannot be bought now",
                $"The Stripe customer made for '{taken.Customer}' is already linked to another customer."),
            // Only Stripe's own failures are "Stripe is not available": off (503) or refusing or unreachable (502).
            PackCheckoutOutcome.NotConfigured off => Message(http, 503, "Stripe is not available",
                $"Payments through Stripe are off: set {off.Setting} to turn them on."),
            PackCheckoutOutcome.StripeFailed failed => Message(http, 502, "Stripe is not available", failed.Error.Message),
            _ => Message(http, 502, "Stripe is not available", "Try again later."),
        };
    }
}
