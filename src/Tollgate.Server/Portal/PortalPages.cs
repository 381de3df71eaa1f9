using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Client.Contracts;
using Tollgate.Core.Alerts;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Llm;
using Tollgate.Core.Money;
using Tollgate.Server.Invoices;
using Tollgate.Server.Pages;
using Tollgate.Server.Payments;
using Tollgate.Server.Subscriptions;
using Tollgate.Storage.Alerts;
using Tollgate.Storage.Billing;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Usage;
using static Tollgate.Server.Pages.Html;

namespace Tollgate.Server.Portal;

/// <summary>The customer portal's signed-in session: the customer, the cookie's token, and the app to go back to.</summary>
public sealed record PortalSession(string Customer, string Token, string Csrf, string? ReturnUrl);

/// <summary>
/// The customer portal at /portal, entered through a signed link from <see cref="PortalSessionsApi"/>: plan and
/// period, a meter per feature, unread alerts, invoices, LLM spend, and plan changes with a proration preview.
/// </summary>
public static class PortalPages
{
    public const string SessionKind = "portal-session";
    private const string Cookie = "tg_portal";

    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["changed"] = "Your plan was changed.",
        ["scheduled"] = "Your plan changes at the end of this period.",
        ["subscribed"] = "You are subscribed.",
        ["canceled"] = "Your subscription ends at the end of this period.",
        ["kept"] = "Your subscription continues.",
    };

    public static IEndpointRouteBuilder MapPortalPages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/portal").ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        group.MapGet("/enter", EnterAsync);
        group.MapGet("/", HomeAsync);
        group.MapGet("/plans", PlansAsync);
        group.MapPost("/change/preview", PreviewAsync);
        group.MapPost("/change", ChangeAsync);
        group.MapPost("/cancel", CancelAsync);
        group.MapPost("/undo-cancel", UndoCancelAsync);
        group.MapPost("/alerts/{id}/read", ReadAlertAsync);
        group.MapPost("/stripe", StripePortalAsync);
        group.MapGet("/invoices/{id}", InvoiceAsync);
        group.MapPost("/sign-out", SignOutAsync);
        return app;
    }

    private static async Task<IResult> EnterAsync(
        HttpContext http, string? token, PageSigning signing, IOptions<PagesOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var (link, problem) = await signing.VerifyAsync(token, PortalSessionsApi.LinkKind, cancellationToken);
        if (link is null)
        {
            return problem == "expired"
                ? Message(http, 403, "This link has expired", "Portal links work for a few minutes. Open the billing portal from your account again.")
                : Message(http, 403, "This link is not valid", "Open the billing portal from your account in the app.");
        }

        var session = await signing.SignAsync(SessionKind, link.Subject, time.GetUtcNow() + options.Value.SessionLifetime, link.Extra,
            cancellationToken);
        http.Response.Cookies.Append(Cookie, session, new CookieOptions
        {
            HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Lax, Path = "/portal", MaxAge = options.Value.SessionLifetime,
        });
        return Results.Redirect("/portal", preserveMethod: false);
    }

    internal static async Task<PortalSession?> SessionAsync(HttpContext http, PageSigning signing, CancellationToken cancellationToken)
    {
        var cookie = http.Request.Cookies[Cookie];
        var (token, _) = await signing.VerifyAsync(cookie, SessionKind, cancellationToken);
        return token is null
            ? null
            : new PortalSession(token.Subject, cookie!, await signing.CsrfAsync(cookie!, cancellationToken), token.Extra.Length == 0 ? null : token.Extra);
    }

    private static IResult SignedOut(HttpContext http) =>
        Message(http, 401, "Open the portal from your account", "Your portal session has ended. Open the billing portal from your account in the app.");

    /// <summary>The session of a form post, or null when the session or its anti-forgery token is missing or wrong.</summary>
    private static async Task<PortalSession?> PostedSessionAsync(HttpContext http, PageSigning signing, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(http, signing, cancellationToken);
        if (session is null || !http.Request.HasFormContentType)
        {
            return null;
        }

        var form = await http.Request.ReadFormAsync(cancellationToken);
        return await signing.CsrfMatchesAsync(session.Token, form["csrf"], cancellationToken) ? session : null;
    }

    private static async Task<IResult> HomeAsync(HttpContext http, string? notice, string? plan, string? period, PortalData data,
        IOptions<StripeOptions> stripe, CancellationToken cancellationToken)
    {
        if (await SessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var view = await data.LoadAsync(session.Customer, cancellationToken);
        if (view is null)
        {
            return SignedOut(http);
        }

        var body = new StringBuilder();
        body.Append(TopBar(data.Options.Value.ProductName, view.Customer, session));
        body.Append("<main>");
        if (notice is not null && Notices.TryGetValue(notice, out var text))
        {
            body.Append(CultureInfo.InvariantCulture, $"""<p class="notice good" role="status">{E(text)}</p>""");
        }

        body.Append(CultureInfo.InvariantCulture, $"<h1>Billing</h1><p class=\"lead\">{E(view.Customer.Name ?? view.Customer.Email ?? view.Customer.Id)}</p>");
        body.Append("<div class=\"grid wide\">");
        body.Append(PlanCard(view, session, stripe.Value.HasSecretKey));
        body.Append(UsageCard(view));
        body.Append("</div>");
        body.Append(AlertsSection(view, session));
        body.Append(ChangeSection(view, session, plan, period, stripe.Value.HasSecretKey));
        body.Append(InvoicesSection(view));
        body.Append("</main>");
        return Page(http, "Billing", body.ToString());
    }

    private static string TopBar(string product, Customer customer, PortalSession session) => $"""
        <header class="topbar"><div class="inner">
          <span class="brand">{E(product)}</span>
          <span class="muted">{E(customer.Email ?? customer.Id)}</span>
          <span class="row push">
            {(session.ReturnUrl is { } back ? $"<a href=\"{E(back)}\">Back to the app</a>" : "")}
            <form class="inline" method="post" action="/portal/sign-out">{CsrfField(session.Csrf)}<button class="secondary" type="submit">Sign out</button></form>
          </span>
        </div></header>
        """;

    private static string PlanCard(PortalView view, PortalSession session, bool stripe)
    {
        var s = view.Subscription;
        var price = view.Version?.Terms.Price(s?.BillingPeriod ?? BillingInterval.Monthly);
        var card = new StringBuilder("<section class=\"card stack\" aria-labelledby=\"plan-title\">");
        card.Append(CultureInfo.InvariantCulture, $"""
            <div class="spread"><h2 id="plan-title">Your plan</h2>{StatusBadge(s)}</div>
            <p class="price" data-testid="current-plan"><strong>{E(view.PlanName)}</strong>{(price is { PriceCents: > 0 } ? $" · {E(MinorUnits.Display(price.PriceCents, price.Currency))} a {(s?.BillingPeriod == BillingInterval.Yearly ? "year" : "month")}" : "")}</p>
            <p class="muted">Current period: {Date(view.Period.Start)} – {Date(view.Period.End)}</p>
            """);
        if (s is { Status: SubscriptionStatus.Trialing, TrialEndAt: { } trialEnd })
        {
            card.Append(CultureInfo.InvariantCulture, $"<p>Your trial ends on {Date(trialEnd)}.</p>");
        }

        if (s is { PastDueSince: not null })
        {
            card.Append("<p class=\"notice bad\">A payment is overdue. Pay the open invoice to keep your plan.</p>");
        }

        if (s is { IsLive: true, StripeSubscriptionId: not null })
        {
            card.Append(CultureInfo.InvariantCulture, $"""
                <p class="muted">{(s.CancelAtPeriodEnd ? $"Ends on {Date(s.CurrentPeriodEnd)}" : $"Renews on {Date(s.CurrentPeriodEnd)}")}. Billed through Stripe.</p>
                {(stripe ? StripeButton(session, "Manage plan and payment") : "")}
                """);
        }
        else if (s is { CancelAtPeriodEnd: true })
        {
            card.Append(CultureInfo.InvariantCulture, $"""
                <p class="notice warn">Your subscription ends on {Date(s.CurrentPeriodEnd)}.</p>
                <form method="post" action="/portal/undo-cancel">{CsrfField(session.Csrf)}<button type="submit">Keep my subscription</button></form>
                """);
        }
        else if (s is { IsLive: true } && view.PendingPlanName is { } pending)
        {
            card.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\">Changes to {E(pending)} on {Date(s.CurrentPeriodEnd)}.</p>");
        }
        else if (s is { IsLive: true })
        {
            card.Append(CultureInfo.InvariantCulture, $"""
                <p class="muted">Renews on {Date(s.CurrentPeriodEnd)}.</p>
                <form method="post" action="/portal/cancel">{CsrfField(session.Csrf)}<button class="danger" type="submit">Cancel at period end</button></form>
                """);
        }

        if (view.Budget is { } budget)
        {
            card.Append(CultureInfo.InvariantCulture, $"""
                <div class="meter-row" data-feature="llm-budget"><div class="spread"><span>AI usage this period</span>
                <span>{E(Usd(budget.SpentNano))} of {E(Usd(budget.LimitNano))}</span></div>
                <meter class="meter" min="0" max="{budget.LimitNano}" value="{Math.Min(budget.SpentNano, budget.LimitNano)}" high="{budget.LimitNano * 9 / 10}" optimum="0" aria-label="AI usage"></meter>
                <span class="muted">{E(Usd(budget.RemainingNano))} left · resets {Date(view.Period.End)}</span></div>
                """);
        }

        return card.Append("</section>").ToString();
    }

    private static string StatusBadge(Subscription? s) => s?.Status switch
    {
        SubscriptionStatus.Trialing => "<span class=\"badge\">Trial</span>",
        SubscriptionStatus.PastDue => "<span class=\"badge bad\">Past due</span>",
        SubscriptionStatus.Active when s.CancelAtPeriodEnd => "<span class=\"badge warn\">Ending</span>",
        SubscriptionStatus.Active => "<span class=\"badge good\">Active</span>",
        _ => "<span class=\"badge\">Free</span>",
    };

    private static string UsageCard(PortalView view)
    {
        var card = new StringBuilder("<section class=\"card\" aria-labelledby=\"usage-title\"><h2 id=\"usage-title\">Usage this period</h2>");
        foreach (var feature in view.Features.Where(f => f.Kind == FeatureKind.Metered))
        {
            var grant = view.Version?.Terms.Feature(feature.Code);
            if (grant is not { IsIncluded: true })
            {
                continue;
            }

            var counter = view.Usage.Counter(feature.Code);
            var limit = QuotaRules.Limit(grant, counter.CarriedIn);
            var unit = E(feature.Unit);
            var line = limit is { } l
                ? $"{counter.Used:N0} of {l:N0} {unit}"
                : $"{counter.Used:N0} {unit} · unlimited";
            var detail = limit is { } max
                ? (counter.Used > max
                    ? $"{counter.Used - max:N0} over the limit{(grant.OverageUnitPriceCents is { } cents ? $", billed at {E(MinorUnits.Display(cents, view.Currency))} each" : "")}"
                    : $"{Math.Max(0, max - counter.Used - counter.Reserved):N0} left") + $" · resets {Date(view.Period.End)}"
                : $"resets {Date(view.Period.End)}";
            card.Append(CultureInfo.InvariantCulture, $"""
                <div class="meter-row" data-feature="{E(feature.Code)}">
                  <div class="spread"><span>{E(feature.Name)}</span><span data-testid="used">{line}</span></div>
                  {(limit is { } m ? $"<meter class=\"meter\" min=\"0\" max=\"{Math.Max(1, m)}\" value=\"{Math.Min(counter.Used, Math.Max(1, m))}\" high=\"{m * 8 / 10}\" optimum=\"0\" aria-label=\"{E(feature.Name)} used\"></meter>" : "")}
                  <span class="muted">{detail}</span>
                </div>
                """);
        }

        var gates = view.Features.Where(f => f.Kind == FeatureKind.Boolean && view.Version?.Terms.Feature(f.Code) is { Enabled: true }).ToList();
        if (gates.Count > 0)
        {
            card.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">Also included: {E(string.Join(", ", gates.Select(g => g.Name)))}.</p>");
        }

        return card.Append("</section>").ToString();
    }

    private static string AlertsSection(PortalView view, PortalSession session)
    {
        if (view.Alerts.Count == 0)
        {
            return "";
        }

        var section = new StringBuilder("<section aria-labelledby=\"alerts-title\"><h2 id=\"alerts-title\">Alerts</h2><div class=\"stack\">");
        foreach (var alert in view.Alerts)
        {
            var tone = alert.Severity switch { AlertSeverity.Critical => "bad", AlertSeverity.Warning => "warn", _ => "" };
            section.Append(CultureInfo.InvariantCulture, $"""
                <div class="notice {tone} spread" data-alert="{E(alert.Id)}"><span>{E(alert.Message)}</span>
                <form class="inline" method="post" action="/portal/alerts/{E(alert.Id)}/read">{CsrfField(session.Csrf)}<button class="secondary" type="submit">Dismiss</button></form></div>
                """);
        }

        return section.Append("</div></section>").ToString();
    }

    private static string StripeButton(PortalSession session, string label) =>
        $"""<form method="post" action="/portal/stripe">{CsrfField(session.Csrf)}<button type="submit">{E(label)}</button></form>""";

    private static string ChangeSection(PortalView view, PortalSession session, string? selectedPlan, string? selectedPeriod, bool stripe)
    {
        if (view.Subscription is { IsLive: true, StripeSubscriptionId: not null })
        {
            return $"""
                <section id="change" aria-labelledby="change-title"><h2 id="change-title">Change plan</h2>
                <p>Your subscription is billed through Stripe: change your plan, payment method or billing details there.</p>
                {(stripe ? StripeButton(session, "Open the Stripe billing portal") : "")}</section>
                """;
        }

        var section = new StringBuilder($"""
            <section id="change" aria-labelledby="change-title"><h2 id="change-title">Change plan</h2>
            <form method="post" action="/portal/change/preview" class="card stack">{CsrfField(session.Csrf)}
            <fieldset><legend class="skip">Plan</legend><div class="grid">
            """);
        var currentPeriod = view.Subscription?.BillingPeriod ?? BillingInterval.Monthly;
        foreach (var plan in view.Plans)
        {
            foreach (var price in plan.Current.Terms.Prices.OrderBy(p => p.BillingPeriod))
            {
                var value = $"{plan.Code}:{price.BillingPeriod.ToWire()}";
                var current = plan.Code == view.PlanCode && price.BillingPeriod == currentPeriod;
                var selected = selectedPlan == plan.Code && (selectedPeriod ?? "monthly") == price.BillingPeriod.ToWire();
                section.Append(CultureInfo.InvariantCulture, $"""
                    <label class="card row" data-choice="{E(value)}"><input type="radio" name="choice" value="{E(value)}"{(selected ? " checked" : "")}{(current ? " disabled" : "")}>
                    <span><strong>{E(plan.Name)}</strong> · {(price.PriceCents == 0 ? "Free" : $"{E(MinorUnits.Display(price.PriceCents, price.Currency))} a {(price.BillingPeriod == BillingInterval.Yearly ? "year" : "month")}")}{(current ? " <span class=\"badge\">Current</span>" : "")}</span></label>
                    """);
            }
        }

        section.Append("</div></fieldset><button type=\"submit\">Preview the change</button></form></section>");
        return section.ToString();
    }

    private static string InvoicesSection(PortalView view)
    {
        var section = new StringBuilder("""<section aria-labelledby="invoices-title"><h2 id="invoices-title">Invoices</h2>""");
        if (view.Invoices.Count == 0)
        {
            return section.Append("<p class=\"muted\">No invoices yet.</p></section>").ToString();
        }

        section.Append("<div class=\"table-scroll\"><table><thead><tr><th scope=\"col\">Number</th><th scope=\"col\">Date</th><th scope=\"col\" class=\"num\">Amount</th><th scope=\"col\">Status</th><th scope=\"col\"><span class=\"skip\">View</span></th></tr></thead><tbody>");
        foreach (var invoice in view.Invoices)
        {
            section.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{E(invoice.Number)}</td><td>{Date(invoice.IssuedAt ?? invoice.CreatedAt)}</td>
                <td class="num">{E(MinorUnits.Display(invoice.AmountDueCents + invoice.AmountPaidCents, invoice.Currency))}</td>
                <td>{E(invoice.Status.ToWire())}</td><td><a href="/portal/invoices/{E(invoice.Id)}">View</a></td></tr>
                """);
        }

        return section.Append("</tbody></table></div></section>").ToString();
    }

    private static async Task<IResult> PlansAsync(HttpContext http, string? plan, string? period, PageSigning signing, CancellationToken cancellationToken) =>
        await SessionAsync(http, signing, cancellationToken) is null
            ? Message(http, 401, "Sign in through the app", "To change your plan, open the billing portal from your account in the app.")
            : Results.Redirect($"/portal?plan={Uri.EscapeDataString(plan ?? "")}&period={Uri.EscapeDataString(period ?? "monthly")}#change");

    private static async Task<IResult> PreviewAsync(HttpContext http, PortalData data, IOptions<StripeOptions> stripe, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var view = await data.LoadAsync(session.Customer, cancellationToken);
        var choice = await ChoiceAsync(http, view, cancellationToken);
        if (view is null || choice is null)
        {
            return Message(http, 400, "Choose a plan", "Pick one of the plans listed, then preview the change.");
        }

        var (plan, interval) = choice.Value;
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
                    cancellationToken);
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
              <button type="submit">{(ViaCheckout(stripe.Value, view, price) ? "Continue to payment" : "Confirm the change")}</button><a class="button secondary" href="/portal">Keep my plan</a>
            </form></main>
            """);
        return Page(http, "Preview the change", body.ToString());
    }

    private static string PreviewLines(BillingResult.Done done, string currency)
    {
        var total = done.Lines.Sum(l => l.AmountCents);
        var lines = new StringBuilder();
        lines.Append(CultureInfo.InvariantCulture, $"<p data-testid=\"preview-summary\">{(done.Effective == ChangeTiming.PeriodEnd
            ? $"The change takes effect on {Date(done.EffectiveAt ?? done.Subscription.CurrentPeriodEnd)}. Nothing is charged today."
            : total >= 0 ? $"The change takes effect now. {E(MinorUnits.Display(total, currency))} is added to your next invoice."
            : $"The change takes effect now. {E(MinorUnits.Display(-total, currency))} is credited to your account.")}</p>");
        if (done.Lines.Count > 0)
        {
            lines.Append("<div class=\"table-scroll\"><table data-testid=\"preview-lines\"><thead><tr><th scope=\"col\">Line</th><th scope=\"col\" class=\"num\">Amount</th></tr></thead><tbody>");
            foreach (var line in done.Lines)
            {
                lines.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(line.Description)}</td><td class=\"num\">{E(MinorUnits.Display(line.AmountCents, currency))}</td></tr>");
            }

            lines.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">Total</th><td class=\"num\"><strong>{E(MinorUnits.Display(total, currency))}</strong></td></tr></tbody></table></div>");
        }

        return lines.ToString();
    }

    private static async Task<IResult> ChangeAsync(
        HttpContext http, PortalData data, IOptions<StripeOptions> stripe, [AsParameters] PaymentsApi.Services payments, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var view = await data.LoadAsync(session.Customer, cancellationToken);
        var choice = await ChoiceAsync(http, view, cancellationToken);
        if (view is null || choice is null)
        {
            return Message(http, 400, "Choose a plan", "Pick one of the plans listed, then preview the change.");
        }

        var (plan, interval) = choice.Value;

        if (ViaCheckout(stripe.Value, view, plan.Current.Terms.Price(interval)!))
        {
            var origin = Origin(http, data.Options.Value);
            var checkout = await PaymentsApi.CheckoutAsync(new CreateCheckoutSessionRequest(session.Customer, plan.Code, $"{origin}/portal?notice=subscribed",
                $"{origin}/portal", interval.ToWire()), payments, cancellationToken);
            return checkout.Result is Ok<CheckoutSessionResponse> ok
                ? Results.Redirect(ok.Value!.CheckoutUrl)
                : Message(http, 502, "Payment is not available", (checkout.Result as ProblemHttpResult)?.ProblemDetails.Detail ?? "Try again later.");
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
                    cancellationToken);
                notice = result is BillingResult.Done { Effective: ChangeTiming.PeriodEnd } ? "scheduled" : "changed";
            }
        }
        else
        {
            var created = NewSubscription.Build(session.Customer, plan, interval, view.TrialDays(plan.Current.Terms.Price(interval)!),
                CollectionMethod.SendInvoice, data.BillingOptions.Value.DaysUntilDue, data.Time);
            (result, notice) = (await data.Billing.CreateAsync(created, cancellationToken), "subscribed");
        }

        return result is BillingResult.Done
            ? Results.Redirect($"/portal?notice={notice}")
            : Message(http, 409, "This change is not possible", result is BillingResult.Conflict c ? c.Detail : "The subscription changed; reload the portal.");
    }

    /// <summary>The posted "plan:period" choice, when it names an active plan and one of its prices.</summary>
    private static async Task<(Plan Plan, BillingInterval Interval)?> ChoiceAsync(HttpContext http, PortalView? view, CancellationToken cancellationToken)
    {
        var form = await http.Request.ReadFormAsync(cancellationToken);
        var parts = form["choice"].ToString().Split(':');
        if (view is null || parts.Length != 2 || !BillingIntervalNames.TryParse(parts[1], out var interval))
        {
            return null;
        }

        var plan = view.Plans.FirstOrDefault(p => p.Code == parts[0]);
        return plan?.Current.Terms.Price(interval) is null ? null : (plan, interval);
    }

    /// <summary>A new paid subscription is paid for through Stripe Checkout when Stripe is configured and the price is linked to Stripe.</summary>
    private static bool ViaCheckout(StripeOptions stripe, PortalView view, PlanPrice price) =>
        stripe.HasSecretKey && view.Subscription is not { IsLive: true } && price is { PriceCents: > 0, StripePriceId: not null };

    private static string Origin(HttpContext http, PagesOptions options) =>
        options.PublicBaseUrl?.ToString().TrimEnd('/') ?? $"{http.Request.Scheme}://{http.Request.Host}";

    private static async Task<IResult> StripePortalAsync(
        HttpContext http, PortalData data, [AsParameters] PaymentsApi.Services payments, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var portal = await PaymentsApi.PortalAsync(new CreatePortalSessionRequest(session.Customer, $"{Origin(http, data.Options.Value)}/portal"), payments,
            cancellationToken);
        return portal.Result is Ok<Client.Contracts.PortalSessionResponse> ok
            ? Results.Redirect(ok.Value!.Url)
            : Message(http, 502, "Stripe is not available", (portal.Result as ProblemHttpResult)?.ProblemDetails.Detail ?? "Try again later.");
    }

    private static async Task<IResult> CancelAsync(HttpContext http, PortalData data, CancellationToken cancellationToken) =>
        await SubscriptionActionAsync(http, data, "canceled", (billing, id) => billing.CancelAsync(id, atPeriodEnd: true, creditUnused: false, cancellationToken),
            cancellationToken);

    private static async Task<IResult> UndoCancelAsync(HttpContext http, PortalData data, CancellationToken cancellationToken) =>
        await SubscriptionActionAsync(http, data, "kept", (billing, id) => billing.UndoCancelAsync(id, cancellationToken), cancellationToken);

    private static async Task<IResult> SubscriptionActionAsync(
        HttpContext http, PortalData data, string notice, Func<BillingStore, string, Task<BillingResult>> action, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var subscription = await data.Customers.GetLiveSubscriptionAsync(session.Customer, cancellationToken);
        if (subscription is null)
        {
            return Message(http, 409, "No subscription", "You are not subscribed to a paid plan.");
        }

        return await action(data.Billing, subscription.Id) is BillingResult.Done
            ? Results.Redirect($"/portal?notice={notice}")
            : Message(http, 409, "This change is not possible", "The subscription changed; reload the portal.");
    }

    private static async Task<IResult> ReadAlertAsync(string id, HttpContext http, PortalData data, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        await data.Alerts.MarkReadAsync(id, session.Customer, cancellationToken);
        return Results.Redirect("/portal");
    }

    private static async Task<IResult> InvoiceAsync(string id, HttpContext http, PortalData data, CancellationToken cancellationToken)
    {
        if (await SessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var invoice = await data.Invoices.GetAsync(id, cancellationToken);
        if (invoice is null || invoice.CustomerId != session.Customer)
        {
            return Message(http, 404, "No such invoice", "This invoice is not in your account.");
        }

        var customer = await data.Customers.GetAsync(session.Customer, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.XFrameOptions = "DENY";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        // The printable invoice carries its own inline stylesheet and nothing else.
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'";
        return Results.Content(InvoiceHtml.Render(invoice, customer, data.BillingOptions.Value.Seller), "text/html; charset=utf-8");
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, PageSigning signing, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, signing, cancellationToken) is null)
        {
            return SignedOut(http);
        }

        http.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/portal" });
        return Message(http, 200, "Signed out", "You are signed out of the billing portal.");
    }

    internal static string Date(DateTimeOffset at) => E(at.UtcDateTime.ToString("MMM d, yyyy", CultureInfo.InvariantCulture));

    private static string Usd(long? nano) => nano is { } n ? "$" + NanoUsdAmount.ToUsd(n).ToString("0.00", CultureInfo.InvariantCulture) : "unlimited";
}

/// <summary>What one portal page shows about a customer.</summary>
public sealed record PortalView(
    Customer Customer, Subscription? Subscription, PlanVersion? Version, string PlanCode, string PlanName, string? PendingPlanName, BillingPeriodView Period,
    PeriodUsage Usage, IReadOnlyList<Feature> Features, IReadOnlyList<Plan> Plans, IReadOnlyList<UsageAlert> Alerts, IReadOnlyList<Invoice> Invoices,
    BudgetState? Budget, string Currency, string? DefaultPlanCode, bool HadSubscription)
{
    /// <summary>The trial a new subscription to <paramref name="price"/> gets: none after an earlier subscription.</summary>
    public int TrialDays(PlanPrice price) => HadSubscription ? 0 : price.TrialDays;
}

/// <summary>A period's start and end.</summary>
public sealed record BillingPeriodView(DateTimeOffset Start, DateTimeOffset End);

/// <summary>Everything the portal reads from, injected as one.</summary>
public sealed class PortalData(
    PageSigning signing, ICustomerStore customers, UsageQueries usage, AlertStore alerts, InvoiceStore invoices, EntitlementStore entitlements,
    BillingStore billing, CatalogCache catalog, IOptions<PagesOptions> options, IOptions<BillingOptions> billingOptions, TimeProvider time)
{
    public PageSigning Signing => signing;
    public ICustomerStore Customers => customers;
    public AlertStore Alerts => alerts;
    public InvoiceStore Invoices => invoices;
    public BillingStore Billing => billing;
    public IOptions<PagesOptions> Options => options;
    public IOptions<BillingOptions> BillingOptions => billingOptions;
    public TimeProvider Time => time;


    public async Task<PortalView?> LoadAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        var period = await usage.CurrentPeriodAsync(customerId, cancellationToken);
        if (customer is null || period is null)
        {
            return null;
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        var live = await customers.GetLiveSubscriptionAsync(customerId, cancellationToken);
        var context = period.Context;
        var pending = live?.PendingPlanVersionId is { } pendingId ? (await catalog.GetVersionAsync(pendingId, cancellationToken))?.PlanCode : null;
        var planCode = context.PlanCode ?? snapshot.DefaultPlan ?? "";
        var currency = context.Version?.Terms.Prices.FirstOrDefault()?.Currency ?? "USD";
        return new PortalView(customer, live, context.Version, planCode, snapshot.Plan(planCode)?.Name ?? planCode,
            pending is null ? null : snapshot.Plan(pending)?.Name ?? pending, new BillingPeriodView(context.Period.Start, context.Period.End), period,
            snapshot.Features, [.. snapshot.ActivePlans], await alerts.ListAsync(customerId, unreadOnly: true, 20, cancellationToken),
            await invoices.ListAsync(customerId, cancellationToken), (await entitlements.BudgetAsync(customerId, cancellationToken))?.Budget, currency,
            snapshot.DefaultPlan, (await customers.ListSubscriptionsAsync(customerId, cancellationToken)).Count > 0);
    }
}
