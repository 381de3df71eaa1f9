using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Money;
using Tollgate.Server.Payments;
using Tollgate.Server.Subscriptions;
using Tollgate.Server.Billing;
using Tollgate.Server.Discounts;

namespace Tollgate.Server.Web.Portal;

/// <summary>
/// The portal's plan change: a chosen plan and period, previewed with its proration, then made here, or paid for through
/// Stripe Checkout when it starts a paid subscription and Stripe sells the price.
/// </summary>
public static partial class PortalPages
{
    private static async Task<IResult> PlansAsync(
        HttpContext http, string? plan, string? period, string? promo, PageSigning signing, CancellationToken cancellationToken) =>
        await SessionAsync(http, signing, cancellationToken) is null
            ? PageResults.Message(http, 401, "Sign in through the app", "To change your plan, open the billing portal from your account in the app.")
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
            return PageResults.Message(http, 409, "Change it in Stripe", "Your subscription is billed through Stripe: change your plan in the Stripe billing portal.");
        }

        string summary;
        IReadOnlyList<InvoiceLine>? lines = null;
        if (view.Subscription is { IsLive: true } subscription)
        {
            if (plan.Code == view.DefaultPlanCode && price.PriceCents == 0)
            {
                summary = $"Your subscription ends on {PortalWords.Date(subscription.CurrentPeriodEnd)} and you move to {plan.Name}. Nothing is charged.";
            }
            else
            {
                var preview = await data.Billing.ChangePlanAsync(subscription.Id, plan.Current, interval, null, ProrationBehavior.CreateProrations, preview: true,
                    PostedCode(http), cancellationToken);
                if (preview is BillingResult.DiscountRefused codeRefused)
                {
                    return PageResults.Message(http, 400, "This code cannot be used", codeRefused.Detail);
                }

                if (preview is not BillingResult.Done done)
                {
                    return PageResults.Message(http, 409, "This change is not possible",
                        preview is BillingResult.Conflict c ? c.Detail : "The subscription changed; reload the portal.");
                }

                (summary, lines) = (PreviewSummary(done, view.Currency), done.Lines);
            }
        }
        else
        {
            var trial = view.TrialDays(price);
            var amount = MinorUnits.Display(price.PriceCents, price.Currency);
            summary = ViaCheckout(stripe.Value, view, price)
                ? $"You pay {amount} {PortalWords.A(interval)}{(trial > 0 ? $" after a {trial}-day trial" : "")}, by card on Stripe's secure checkout page."
                : $"{(trial > 0 ? $"Your {trial}-day trial starts today; then you pay " : "You pay ")}{amount} {PortalWords.A(interval)}, starting " +
                    $"{(trial > 0 ? "when the trial ends" : "today")}.";
        }

        var catalog = await data.Catalog.GetAsync(cancellationToken);
        return PageResults.Render<PreviewPage>(http, new
        {
            View = new PreviewView(data.Options.Value.Brand ?? PortalBrand.Neutral, view.Customer, session, plan.Name, summary, lines, view.Currency,
                $"{plan.Code}:{interval.ToWire()}", PostedCode(http)?.PromotionCode ?? "", ViaCheckout(stripe.Value, view, price),
                code => catalog.Plan(code)?.Name),
        });
    }

    /// <summary>When a change takes effect and what it charges or credits.</summary>
    private static string PreviewSummary(BillingResult.Done done, string currency)
    {
        var total = done.Lines.Sum(l => l.NetCents);
        return done.Effective == ChangeTiming.PeriodEnd
            ? $"The change takes effect on {PortalWords.Date(done.EffectiveAt ?? done.Subscription.CurrentPeriodEnd)}. Nothing is charged today."
            : total >= 0 ? $"The change takes effect now. {MinorUnits.Display(total, currency)} is added to your next invoice."
            : $"The change takes effect now. {MinorUnits.Display(-total, currency)} is credited to your account.";
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
                : PageResults.Message(http, 502, "Payment is not available", (checkout as PaymentOutcome.Refused)?.Detail ?? "Try again later.");
        }

        BillingResult result;
        string notice;
        if (view.Subscription is { IsLive: true, StripeSubscriptionId: not null })
        {
            return PageResults.Message(http, 409, "Change it in Stripe", "Your subscription is billed through Stripe: change your plan in the Stripe billing portal.");
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
                CollectionMethod.SendInvoice, data.BillingOptions.Value.DaysUntilDue, data.Time, plan.Current.Terms.Price(interval)!.Currency);
            (result, notice) = (await data.Billing.CreateAsync(created, cancellationToken), "subscribed");
        }

        return Answered(http, result, notice);
    }

    /// <summary>The promotion code typed into the plan change, if any (the form was read when its session was checked).</summary>
    private static DiscountRequest? PostedCode(HttpContext http) =>
        http.Request.HasFormContentType && http.Request.Form["promotion_code"].ToString().Trim() is { Length: > 0 } code
            ? new DiscountRequest(code, null) : null;

    /// <summary>What the preview page shows: the change's summary and proration lines, and the form that confirms it.</summary>
    public sealed record PreviewView(
        string Product, Customer Customer, PortalSession Session, string PlanName, string Summary, IReadOnlyList<InvoiceLine>? Lines, string Currency,
        string Choice, string PromotionCode, bool ViaCheckout, Func<string, string?> PlanNames);

    private sealed record PostedChoice(PortalSession Session, PortalView View, Plan Plan, BillingInterval Interval);

    /// <summary>What preview and change both start from: a signed-in post choosing a plan, or the page that says why not.</summary>
    private static async Task<(PostedChoice? Choice, IResult? Refused)> PostedChoiceAsync(HttpContext http, PortalData data, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return (null, SignedOut(http));
        }

        var view = await data.LoadAsync(session.Customer, cancellationToken);
        if (view is null || await ChoiceAsync(http, view, cancellationToken) is not { } choice)
        {
            return (null, PageResults.Message(http, 400, "Choose a plan", "Pick one of the plans listed, then preview the change."));
        }

        // The picker disables the current plan; a hand-made post naming it previewed "Change to Free" for a customer on Free.
        return view.IsCurrent(choice.Plan.Code, choice.Interval)
            ? (null, PageResults.Message(http, 400, "Choose another plan", $"You are on {choice.Plan.Name}, {choice.Interval.ToWire()}, already."))
            : (new PostedChoice(session, view, choice.Plan, choice.Interval), null);
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
