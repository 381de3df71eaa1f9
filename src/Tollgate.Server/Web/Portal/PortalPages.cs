using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Server.Payments;

namespace Tollgate.Server.Web.Portal;

/// <summary>The customer portal's signed-in session: the customer, the cookie's token, and the app to go back to.</summary>
public sealed record PortalSession(string Customer, string Token, string Csrf, string? ReturnUrl);

/// <summary>
/// The customer portal at /portal, entered through a signed link from <see cref="PortalSessionsApi"/>: plan and
/// period, a meter per feature, unread alerts, invoices, LLM spend, and plan changes with a proration preview.
/// </summary>
public static partial class PortalPages
{
    public const string SessionKind = "portal-session";

    /// <summary>A portal session entered through a customer session's link: its extra is "{session id} {return url}".</summary>
    private const string SessionOfSessionKind = "portal-session-of-session";
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
        group.MapGet("/invoices/{id}/pdf", InvoicePdfAsync);
        group.MapPost("/sign-out", SignOutAsync);
        group.MapPost("/packs/checkout", BuyPackAsync);
        return app;
    }

    private static async Task<IResult> EnterAsync(
        HttpContext http, string? token, PageSigning signing, IOptions<PagesOptions> options, Server.Keys.CustomerSessionStore sessions,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (link, problem) = await signing.VerifyAsync(token, PortalSessionsApi.LinkKind, cancellationToken);
        string? fromSession = null;
        if (link is null && problem == "malformed")
        {
            // A link a customer session asked for works only while that session does (not revoked, not expired, customer not erased).
            var (bySession, why) = await signing.VerifyAsync(token, PortalSessionsApi.SessionLinkKind, cancellationToken);
            (link, problem) = (null, why);
            if (bySession?.Extra.Split(' ', 2) is [var sessionId, var returnUrl])
            {
                (link, problem, fromSession) = await sessions.IsLiveAsync(bySession.Subject, sessionId, cancellationToken)
                    ? (bySession with { Extra = returnUrl }, (string?)null, (string?)sessionId)
                    : ((SignedToken?)null, (string?)"expired", (string?)null);
            }
        }

        if (link is null)
        {
            return problem == "expired"
                ? PageResults.Message(http, 403, "This link has expired", "Portal links work for a few minutes. Open the billing portal from your account again.")
                : PageResults.Message(http, 403, "This link is not valid", "Open the billing portal from your account in the app.");
        }

        // A portal entered from a customer session stays tied to it: revoking the session signs the portal out too.
        var session = fromSession is null
            ? await signing.SignAsync(SessionKind, link.Subject, time.GetUtcNow() + options.Value.SessionLifetime, link.Extra, cancellationToken)
            : await signing.SignAsync(SessionOfSessionKind, link.Subject, time.GetUtcNow() + options.Value.SessionLifetime,
                $"{fromSession} {link.Extra}", cancellationToken);
        http.Response.Cookies.Append(Cookie, session, new CookieOptions
        {
            HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Lax, Path = "/portal", MaxAge = options.Value.SessionLifetime,
        });
        return Results.Redirect("/portal", preserveMethod: false);
    }

    internal static async Task<PortalSession?> SessionAsync(HttpContext http, PageSigning signing, CancellationToken cancellationToken)
    {
        var cookie = http.Request.Cookies[Cookie];
        var (token, problem) = await signing.VerifyAsync(cookie, SessionKind, cancellationToken);
        var returnUrl = token?.Extra;
        if (token is null && problem == "malformed")
        {
            (token, _) = await signing.VerifyAsync(cookie, SessionOfSessionKind, cancellationToken);
            if (token?.Extra.Split(' ', 2) is not [var sessionId, var url]
                || !await http.RequestServices.GetRequiredService<Server.Keys.CustomerSessionStore>().IsLiveAsync(token.Subject, sessionId, cancellationToken))
            {
                return null;
            }

            returnUrl = url;
        }

        return token is null
            ? null
            : new PortalSession(token.Subject, cookie!, await signing.CsrfAsync(cookie!, cancellationToken), string.IsNullOrEmpty(returnUrl) ? null : returnUrl);
    }

    private static IResult SignedOut(HttpContext http) =>
        PageResults.Message(http, 401, "Open the portal from your account", "Your portal session has ended. Open the billing portal from your account in the app.");

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

        var catalog = await data.Catalog.GetAsync(cancellationToken);
        return PageResults.Render<PortalHome>(http, new
        {
            Product = data.Options.Value.Brand ?? PortalBrand.Neutral,
            View = view,
            Session = session,
            Stripe = stripe.Value.HasSecretKey,
            Notice = notice is not null && Notices.TryGetValue(notice, out var text) ? text : null,
            SelectedPlan = plan,
            SelectedPeriod = period,
            Promo = promo,
            catalog.Packs,
        });
    }

    private static async Task<IResult> StripePortalAsync(
        HttpContext http, PortalData data, [AsParameters] PaymentsApi.Services payments, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, data.Signing, cancellationToken) is not { } session)
        {
            return SignedOut(http);
        }

        var portal = await StripePortalSessions.OpenAsync(new CreatePortalSessionRequest(session.Customer, $"{data.Options.Value.OriginFor(http.Request)}/portal"),
            payments, cancellationToken);
        return portal is PaymentOutcome.Opened opened
            ? Results.Redirect(opened.Url)
            : PageResults.Message(http, 502, "Stripe is not available", (portal as PaymentOutcome.Refused)?.Detail ?? "Try again later.");
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

    private static async Task<IResult> SignOutAsync(HttpContext http, PageSigning signing, CancellationToken cancellationToken)
    {
        if (await PostedSessionAsync(http, signing, cancellationToken) is null)
        {
            return SignedOut(http);
        }

        http.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/portal" });
        return PageResults.Message(http, 200, "Signed out", "You are signed out of the billing portal.");
    }
}
