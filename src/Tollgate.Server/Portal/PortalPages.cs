using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Client.Contracts;
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
using Tollgate.Storage.Billing;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Discounts;
using static Tollgate.Server.Pages.Html;

namespace Tollgate.Server.Portal;

/// <summary>The customer portal's signed-in session: the customer, the cookie's token, and the app to go back to.</summary>
public sealed record PortalSession(string Customer, string Token, string Csrf, string? ReturnUrl);

/// <summary>
/// The customer portal at /portal, entered through a signed link from <see cref="PortalSessionsApi"/>: plan and
/// period, a meter per feature, unread alerts, invoices, LLM spend, and plan changes with a proration preview.
/// </summary>
public static partial class PortalPages
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
        group.MapPost("/packs/checkout", BuyPackAsync);
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

    private static async Task<IResult> HomeAsync(HttpContext http, string? notice, string? plan, string? period, string? promo, PortalData data,
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
        body.Append(ChangeSection(view, session, plan, period, stripe.Value.HasSecretKey, promo));
        var catalog = await data.Catalog.GetAsync(cancellationToken);
        body.Append(PacksSection(catalog.Packs, catalog.Features, session, stripe.Value.HasSecretKey));
        body.Append(InvoicesSection(view));
        body.Append("</main>");
        return Page(http, "Billing", body.ToString());
    }

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

        return result switch
        {
            BillingResult.Done => Results.Redirect($"/portal?notice={notice}"),
            BillingResult.DiscountRefused codeRefused => Message(http, 400, "This code cannot be used", codeRefused.Detail),
            _ => Message(http, 409, "This change is not possible", result is BillingResult.Conflict c ? c.Detail : "The subscription changed; reload the portal."),
        };
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
