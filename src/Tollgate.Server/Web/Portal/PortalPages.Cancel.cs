using Tollgate.Server.Payments;
using Tollgate.Server.Subscriptions;
using Tollgate.Server.Billing;

namespace Tollgate.Server.Web.Portal;

/// <summary>
/// The portal's cancel: at the period end, with the reason and comment the customer gives; a Stripe-billed subscription
/// is canceled through Stripe (which is told them as its cancellation feedback), as the API and the console do. A cancel
/// still to come can be undone until the period ends.
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
            return PageResults.Message(http, 400, "Tell us why you are canceling", problem!);
        }

        if (await data.Customers.GetLiveSubscriptionAsync(session.Customer, cancellationToken) is not { } subscription)
        {
            return NotSubscribed(http);
        }

        var (result, refused) = await CancelForm.CancelAsync(subscription, atPeriodEnd: true, creditUnused: false, reason, data.Billing, stripe,
            cancellationToken);
        return refused is not null
            ? PageResults.Message(http, refused.StatusCode, "The subscription was not canceled", refused.ProblemDetails.Detail ?? "Try again in a moment.")
            : Answered(http, result!, "canceled");
    }

    private static async Task<IResult> UndoCancelAsync(HttpContext http, PortalData data, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        return await data.Customers.GetLiveSubscriptionAsync(session.Customer, cancellationToken) is { } subscription
            ? Answered(http, await data.Billing.UndoCancelAsync(subscription.Id, cancellationToken), "kept")
            : NotSubscribed(http);
    }

    private static IResult NotSubscribed(HttpContext http) => PageResults.Message(http, 409, "No subscription", "You are not subscribed to a paid plan.");

    /// <summary>
    /// A plan change's, cancel's or undo's answer: back to the portal with <paramref name="notice"/>, or what stopped it in
    /// the subscription's own words (a page opened before another change shows what that change left).
    /// </summary>
    private static IResult Answered(HttpContext http, BillingResult result, string notice) => result switch
    {
        BillingResult.Done => Results.Redirect($"/portal?notice={notice}"),
        BillingResult.DiscountRefused codeRefused => PageResults.Message(http, 400, "This code cannot be used", codeRefused.Detail),
        BillingResult.Conflict conflict => PageResults.Message(http, 409, "This change is not possible", conflict.Detail),
        _ => PageResults.Message(http, 409, "This change is not possible", "The subscription changed; reload the portal."),
    };
}
