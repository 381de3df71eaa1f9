using Tollgate.Server.Subscriptions;
using Tollgate.Storage.Billing;
using static Tollgate.Server.Pages.Html;

namespace Tollgate.Server.Portal;

/// <summary>The portal's cancel: at the period end, with the reason and comment the customer gives.</summary>
public static partial class PortalPages
{
    private static async Task<IResult> CancelAsync(HttpContext http, PortalData data, CancellationToken cancellationToken)
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

        var result = await data.Billing.CancelAsync(subscription.Id, atPeriodEnd: true, creditUnused: false, reason.Reason, reason.Comment,
            cancellationToken);
        return result is BillingResult.Done
            ? Results.Redirect("/portal?notice=canceled")
            : Message(http, 409, "This change is not possible", "The subscription changed; reload the portal.");
    }
}
