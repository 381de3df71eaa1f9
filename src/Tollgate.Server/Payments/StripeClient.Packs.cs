using Tollgate.Core.Catalog;

namespace Tollgate.Server.Payments;

/// <summary>Checkout for a credit pack: a one-time payment, not a subscription.</summary>
public sealed partial class StripeClient
{
    /// <summary>Metadata key that names the pack a payment-mode session sells; the webhook grants it when the session completes.</summary>
    public const string PackMetadata = "tollgate_pack";

    /// <summary>A payment-mode checkout for the pack's Stripe price; the customer and the pack ride along so the completed session names both.</summary>
    public async Task<StripeCheckoutSession> CreatePackCheckoutSessionAsync(
        string customerId, string stripeCustomerId, CreditPack pack, string successUrl, string cancelUrl, CancellationToken cancellationToken = default)
    {
        using var body = await PostAsync("v1/checkout/sessions", new Dictionary<string, object?>
        {
            ["mode"] = "payment",
            ["customer"] = stripeCustomerId,
            ["line_items"] = new[] { new Dictionary<string, object?> { ["price"] = pack.StripePriceId, ["quantity"] = 1 } },
            ["success_url"] = successUrl,
            ["cancel_url"] = cancelUrl,
            ["client_reference_id"] = customerId,
            ["metadata"] = new Dictionary<string, string> { ["tollgate_customer"] = customerId, [PackMetadata] = pack.Code },
        }, NewKey(), cancellationToken);
        return new StripeCheckoutSession(Text(body.RootElement, "id"), Text(body.RootElement, "url"));
    }
}
