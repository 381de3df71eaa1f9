using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Tollgate.Client.Contracts;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Money;
using Tollgate.Server.Web;
using Tollgate.Server.Payments;
using Tollgate.Server.Subscriptions;
using Tollgate.Storage.Billing;
using Tollgate.Storage.Discounts;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Portal;

/// <summary>
/// The portal's plan change: a chosen plan and period, previewed with its proration, then made here, or paid for through
/// Stripe Checkout when it starts a paid subscription and Stripe sells the price.
/// </summary>
public static partial class PortalPages
{
    private static async Task<IResult> PlansAsync(
        HttpContext http, string? plan, string? period, string? promo, PageSigning signing, CancellationToken cancellationToken) =>
        await SessionAsync(http, signing, cancellationToken) is null
            ? Message(http, 401, "Sign in through the app", "To change your plan, open the billing portal from your account in the app.")
            : Results.Redirect($"/portal?plan={Uri.EscapeDataString(plan ?? "")}&period={Uri.EscapeDataString(period ?? "monthly")}" +
                $"{(promo is { Length: > 0 } ? "&promo=" + Uri.EscapeDataString(promo) : "")}#change");

    private static async Task<IResult> PreviewAsync(HttpContext http, PortalData data, IOptions<StripeOptions> stripe, CancellationToken cancellationToken)
    {
        var (posted, refused) = await PostedChoiceAsync(http, data, cancellationToken);
        if (posted is null)
        {
            return refused!;
        }

        var (session, view, plan, interval) = posted;
        var price = plan.Current.Terms.Price(interval)!;
        if (view.Subscription is { IsLive: true, StripeSubscriptionId: not null })
        {
            return Message(http, 409, "Change it in Stripe", "Your subscription is billed through Stripe: change your plan in the Stripe billing portal.");
        }

        var body = new StringBuilder(TopBar(data.Options.Value.ProductName, view.Customer, session));
        body.Append(CultureInfo.InvariantCulture, $"<main class=\"narrow\"><h1>Change to {E(plan.Name)}</h1>");
        if (view.Subscription is { IsLive: true } subscription)
        {
            if (plan.Code == view.DefaultPlanCode && price.PriceCents == 0)
            {
                body.Append(CultureInfo.InvariantCulture, $"<p data-testid=\"preview-summary\">Your subscription ends on {Date(subscription.CurrentPeriodEnd)} and you move to {E(plan.Name)}. Nothing is charged.</p>");
            }
            else
            {
                var preview = await data.Billing.ChangePlanAsync(subscription.Id, plan.Current, interval, null, ProrationBehavior.CreateProrations, preview: true,
                    PostedCode(http), cancellationToken);
                if (preview is BillingResult.DiscountRefused codeRefused)
                {
                    return Message(http, 400, "This code cannot be used", codeRefused.Detail);
                }

                if (preview is not BillingResult.Done done)
                {
                    return Message(http, 409, "This change is not possible", preview is BillingResult.Conflict c ? c.Detail : "The subscription changed; reload the portal.");
                }

                body.Append(PreviewLines(done, view.Currency));
            }
        }
        else if (ViaCheckout(stripe.Value, view, price))
        {
            body.Append(CultureInfo.InvariantCulture, $"<p data-testid=\"preview-summary\">You pay {E(MinorUnits.Display(price.PriceCents, price.Currency))} a {(interval == BillingInterval.Yearly ? "year" : "month")}{(view.TrialDays(price) > 0 ? $" after a {view.TrialDays(price)}-day trial" : "")}, by card on Stripe's secure checkout page.</p>");
        }
        else
        {
            body.Append(CultureInfo.InvariantCulture, $"<p data-testid=\"preview-summary\">{(view.TrialDays(price) > 0 ? $"Your {view.TrialDays(price)}-day trial starts today; then you pay " : "You pay ")}{E(MinorUnits.Display(price.PriceCents, price.Currency))} a {(interval == BillingInterval.Yearly ? "year" : "month")}, starting {(view.TrialDays(price) > 0 ? "when the trial ends" : "today")}.</p>");
        }

        body.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="/portal/change" class="row">{CsrfField(session.Csrf)}
              <input type="hidden" name="choice" value="{E($"{plan.Code}:{interval.ToWire()}")}">
              <input type="hidden" name="promotion_code" value="{E(PostedCode(http)?.PromotionCode ?? "")}">
              <button type="submit">{(ViaCheckout(stripe.Value, view, price) ? "Continue to payment" : "Confirm the change")}</button><a class="button secondary" href="/portal">Keep my plan</a>
            </form></main>
            """);
        return Page(http, "Preview the change", body.ToString());
    }

    private static async Task<IResult> ChangeAsync(
        HttpContext http, PortalData data, IOptions<StripeOptions> stripe, [AsParameters] PaymentsApi.Services payments, CancellationToken cancellationToken)
    {
        var (posted, refused) = await PostedChoiceAsync(http, data, cancellationToken);
        if (posted is null)
        {
            return refused!;
        }

        var (session, view, plan, interval) = posted;

        if (ViaCheckout(stripe.Value, view, plan.Current.Terms.Price(interval)!))
        {
            var origin = data.Options.Value.OriginFor(http.Request);
            var checkout = await PlanCheckout.StartAsync(new CreateCheckoutSessionRequest(session.Customer, plan.Code, $"{origin}/portal?notice=subscribed",
                $"{origin}/portal", interval.ToWire()), payments, cancellationToken);
            return checkout is PaymentOutcome.Opened opened
                ? Results.Redirect(opened.Url)
                : Message(http, 502, "Payment is not available", (checkout as PaymentOutcome.Refused)?.Detail ?? "Try again later.");
        }

        BillingResult result;
        string notice;
        if (view.Subscription is { IsLive: true, StripeSubscriptionId: not null })
        {
            return Message(http, 409, "Change it in Stripe", "Your subscription is billed through Stripe: change your plan in the Stripe billing portal.");
        }

        if (view.Subscription is { IsLive: true } subscription)
        {
            if (plan.Code == view.DefaultPlanCode && plan.Current.Terms.Price(interval)!.PriceCents == 0)
            {
                (result, notice) = (await data.Billing.CancelAsync(subscription.Id, atPeriodEnd: true, creditUnused: false, cancellationToken), "canceled");
            }
            else
            {
                result = await data.Billing.ChangePlanAsync(subscription.Id, plan.Current, interval, null, ProrationBehavior.CreateProrations, preview: false,
                    PostedCode(http), cancellationToken);
                notice = result is BillingResult.Done { Effective: ChangeTiming.PeriodEnd } ? "scheduled" : "changed";
            }
        }
        else
        {
            var created = NewSubscription.Build(session.Customer, plan, interval, view.TrialDays(plan.Current.Terms.Price(interval)!),
                CollectionMethod.SendInvoice, data.BillingOptions.Value.DaysUntilDue, data.Time);
            (result, notice) = (await data.Billing.CreateAsync(created, cancellationToken), "subscribed");
        }

        return Answered(http, result, notice);
    }

    /// <summary>The promotion code typed into the plan change, if any (the form was read when its session was checked).</summary>
    private static DiscountRequest? PostedCode(HttpContext http) =>
        http.Request.HasFormContentType && http.Request.Form["promotion_code"].ToString().Trim() is { Length: > 0 } code
            ? new DiscountRequest(code, null) : null;

    private sealed record PostedChoice(PortalSession Session, PortalView View, Plan Plan, BillingInterval Interval);

    /// <summary>What preview and change both start from: a signed-in post choosing a plan, or the page that says why not.</summary>
    private static async Task<(PostedChoice? Choice, IResult? Refused)> PostedChoiceAsync(HttpContext http, PortalData data, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return (null, SignedOut(http));
        }

        var view = await data.LoadAsync(session.Customer, cancellationToken);
        return view is not null && await ChoiceAsync(http, view, cancellationToken) is { } choice
            ? (new PostedChoice(session, view, choice.Plan, choice.Interval), null)
            : (null, Message(http, 400, "Choose a plan", "Pick one of the plans listed, then preview the change."));
    }

    /// <summary>The posted "plan:period" choice, when it names an active plan and one of its prices.</summary>
    private static async Task<(Plan Plan, BillingInterval Interval)?> ChoiceAsync(HttpContext http, PortalView view, CancellationToken cancellationToken)
    {
        var form = await http.Request.ReadFormAsync(cancellationToken);
        var parts = form["choice"].ToString().Split(':');
        if (parts.Length != 2 || !BillingIntervalNames.TryParse(parts[1], out var interval))
        {
            return null;
        }

        var plan = view.Plans.FirstOrDefault(p => p.Code == parts[0]);
        return plan?.Current.Terms.Price(interval) is null ? null : (plan, interval);
    }

    /// <summary>A new paid subscription is paid for through Stripe Checkout when Stripe is configured and the price is linked to Stripe.</summary>
    private static bool ViaCheckout(StripeOptions stripe, PortalView view, PlanPrice price) =>
        stripe.HasSecretKey && view.Subscription is not { IsLive: true } && price is { PriceCents: > 0, StripePriceId: not null };
}
