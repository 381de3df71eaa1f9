using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Core.Customers;
using Tollgate.Server.Payments;
using Tollgate.Server.Billing;

namespace Tollgate.Server.Subscriptions;

/// <summary>
/// A cancel with its reason, as the API, the portal and the console make it: a Stripe-billed subscription is canceled
/// through Stripe (which is told the reason as its cancellation feedback), any other one here. The two pages ask for the
/// reason with the same fields (Web's CancelReasonFields, from <see cref="Reasons"/>).
/// </summary>
public static class CancelForm
{
    /// <summary>Stripe's own portal words for its feedback codes, so a customer reads the same choices in either portal.</summary>
    public static readonly IReadOnlyList<(string Code, string Label)> Reasons =
    [
        ("too_expensive", "It's too expensive"),
        ("missing_features", "Some features are missing"),
        ("switched_service", "I'm switching to a different service"),
        ("unused", "I don't use the service enough"),
        ("customer_service", "Customer service was less than expected"),
        ("too_complex", "Ease of use was less than expected"),
        ("low_quality", "Quality was less than expected"),
        ("other", "Other reason"),
    ];

    /// <summary>The posted reason and comment, or what is wrong with them (a reason must be chosen).</summary>
    public static (CancellationFeedback? Reason, string? Problem) Read(IFormCollection form)
    {
        var reason = form["reason"].ToString();
        var comment = form["comment"].ToString().Trim() is { Length: > 0 } text ? text : null;
        if (reason.Length == 0)
        {
            return (null, "Choose why the subscription is canceled.");
        }

        return CancellationReasons.Check(reason, comment) is { } bad
            ? (null, bad.Field == "reason" ? "Choose one of the listed reasons." : $"The comment {bad.Problem}.")
            : (new CancellationFeedback(reason, comment), null);
    }

    /// <summary>
    /// Cancels <paramref name="live"/> through Stripe when Stripe bills it, else here; the reason is kept in the cancel's own
    /// write. <paramref name="billUsage"/> false waives an immediate cancel's usage so far.
    /// </summary>
    public static async Task<(BillingResult? Result, ProblemHttpResult? Problem)> CancelAsync(
        Subscription live, bool atPeriodEnd, bool creditUnused, CancellationFeedback? reason, BillingStore billing, StripeSubscriptions stripe,
        CancellationToken cancellationToken, bool billUsage = true) =>
        live.StripeSubscriptionId is not null
            ? await stripe.CancelAsync(live, atPeriodEnd, creditUnused, reason, cancellationToken, billUsage)
            : (await billing.CancelAsync(live.Id, atPeriodEnd, creditUnused, reason?.Reason, reason?.Comment, billUsage, cancellationToken), null);
}
