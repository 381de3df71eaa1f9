using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Server.Auth;
using Tollgate.Server.Http;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Web.Portal;

/// <summary>POST /v1/customers/{id}/portal-sessions (secret key): a short-lived signed link into the customer portal.</summary>
public static class PortalSessionsApi
{
    public const string LinkKind = "portal-link";

    /// <summary>A link a customer session asked for: its extra is "{session id} {return url}", and entering checks the session.</summary>
    public const string SessionLinkKind = "portal-link-session";

    public static RouteGroupBuilder MapPortalSessions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Customer portal").RequireAuthorization(Policies.Secret);
        group.MapPost("/customers/{id}/portal-sessions", CreateAsync);
        return group;
    }

    private static async Task<Results<Created<PortalLinkResponse>, ProblemHttpResult>> CreateAsync(
        string id, HttpContext http, CustomerStore customers, PageSigning signing, IOptions<PagesOptions> options,
        IOptions<BrowserCorsOptions> cors, TimeProvider time, CancellationToken cancellationToken, PortalLinkRequest? request = null)
    {
        var returnUrl = request?.ReturnUrl;
        if (returnUrl is not null && Validate.HttpUrl(returnUrl) is { } problem)
        {
            return Problems.Validation("return_url", problem);
        }

        if (http.User.ForeignReturnUrls(cors.Value, ("return_url", returnUrl)) is { Count: > 0 } foreign)
        {
            return Problems.Validation(foreign);
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        // A session's link must not outlive the session (it is a bearer capability over the plan).
        var expiresAt = http.User.CapToSession(time.GetUtcNow() + options.Value.PortalLinkLifetime);
        var token = http.User.IsInRole(CustomerSessionScope.Role)
            ? await signing.SignAsync(SessionLinkKind, id, expiresAt, $"{http.User.FindFirstValue(ClaimTypes.NameIdentifier)} {returnUrl}",
                cancellationToken)
            : await signing.SignAsync(LinkKind, id, expiresAt, returnUrl ?? "", cancellationToken);
        var origin = options.Value.OriginFor(http.Request);
        var url = $"{origin}/portal/enter?token={Uri.EscapeDataString(token)}";
        return TypedResults.Created(url, new PortalLinkResponse(url, expiresAt));
    }
}
