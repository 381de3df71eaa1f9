using Tollgate.Core.Catalog;
using Sdk = Stripe;

namespace Tollgate.Server.Payments;

/// <summary>Checkout for a credit pack: a one-time payment, not a subscription.</summary>
public sealed partial class StripeClient
{
    /// <summary>Metadata key that names the pack a payment-mode session sells; the webhook grants it when the session completes.</summary>
    public const string PackMetadata = "tollgate_pack";

    /// <summary>
    /// A payment-mode checkout for the pack's Stripe price in the buyer's currency (<paramref name="price"/>); the customer and
    /// the pack ride along so the completed session names both.
    /// </summary>
    public Task<StripeCheckoutSession> CreatePackCheckoutSessionAsync(
        string customerId, string stripeCustomerId, CreditPack pack, PackPrice price, string successUrl, string cancelUrl,
        CancellationToken cancellationToken = default) =>
        CreateSessionAsync(new Sdk.Checkout.SessionCreateOptions
        {
            Mode = "payment",
            Customer = stripeCustomerId,
            LineItems = [new() { Price = price.StripePriceId, Quantity = 1 }],
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            ClientReferenceId = customerId,
            Metadata = new Dictionary<string, string> { ["tollgate_customer"] = customerId, [PackMetadata] = pack.Code },
        }, cancellationToken);
}
