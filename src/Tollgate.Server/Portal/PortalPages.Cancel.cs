using Tollgate.Server.Payments;
using Tollgate.Server.Subscriptions;
using Tollgate.Storage.Billing;
using static Tollgate.Server.Pages.Html;

namespace Tollgate.Server.Portal;

/// <summary>
/// The portal's cancel: at the period end, with the reason and comment the customer gives; a Stripe-billed subscription
/// is canceled through Stripe (which is told them as its cancellation feedback), as the API and the console do.
/// </summary>
public static partial class PortalPages
{
    private static async Task<IResult> CancelAsync(HttpContext http, PortalData data, StripeSubscriptions stripe, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var (reason, problem) = CancelForm.Read(await http.Request.ReadFormAsync(cancellationToken));
        if (reason is null)
        {
            return Message(http, 400, "Tell us why you are canceling", problem!);
        }

        if (await data.Customers.GetLiveSubscriptionAsync(session.Customer, cancellationToken) is not { } subscription)
        {
            return Message(http, 409, "No subscription", "You are not subscribed to a paid plan.");
        }

        var (result, refused) = await CancelForm.CancelAsync(subscription, atPeriodEnd: true, creditUnused: false, reason, data.Billing, stripe,
            cancellationToken);
        return result is BillingResult.Done
            ? Results.Redirect("/portal?notice=canceled")
            : refused is not null
                ? Message(http, refused.StatusCode, "The subscription was not canceled", refused.ProblemDetails.Detail ?? "Try again in a moment.")
                : Message(http, 409, "This change is not possible", "The subscription changed; reload the portal.");
    }
}
