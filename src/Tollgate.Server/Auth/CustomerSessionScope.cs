using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;

namespace Tollgate.Server.Auth;

/// <summary>The "secret" policy's requirement: a secret or admin key, or a customer session inside its scope.</summary>
public sealed class SecretOrSessionRequirement : IAuthorizationRequirement;

/// <summary>
/// What a customer session token may call: a short allow-list of route templates, each naming the customer either in the
/// route (<c>{id}</c>) or in the JSON body (<c>customer</c>), which must be the session's own customer. Kept here, in one
/// place, so no endpoint has to know sessions exist and a new endpoint is closed to them until it is listed.
/// </summary>
public sealed class CustomerSessionScope : AuthorizationHandler<SecretOrSessionRequirement>
{
    public const string Role = "customer_session";
    public const string CustomerClaim = "tollgate:customer";
    public const string ForbiddenDetailKey = "tollgate.forbidden_detail";
    public const string OutOfScope = "A customer session token may only read its own customer's entitlements, usage, alerts and "
        + "invoices, and start its checkout, portal and pack purchase.";

    private const int MaxBodyBytes = 64 * 1024;

    private enum NamedBy { Route, Body }

    private static readonly Dictionary<(string Method, string Route), NamedBy> Allowed = new()
    {
        [("GET", "/v1/customers/{id}/entitlements")] = NamedBy.Route,
        [("GET", "/v1/customers/{id}/usage")] = NamedBy.Route,
        [("GET", "/v1/customers/{id}/alerts")] = NamedBy.Route,
        [("GET", "/v1/customers/{id}/invoices")] = NamedBy.Route,
        [("GET", "/v1/customers/{id}/upcoming-invoice")] = NamedBy.Route,
        [("POST", "/v1/customers/{id}/portal-sessions")] = NamedBy.Route,
        [("POST", "/v1/customers/{id}/packs/checkout-sessions")] = NamedBy.Route,
        [("POST", "/v1/entitlements/check")] = NamedBy.Body,
        [("POST", "/v1/billing/checkout-sessions")] = NamedBy.Body,
        [("POST", "/v1/billing/portal-sessions")] = NamedBy.Body,
    };

    /// <summary>Whether a customer session may call the route template at all (for its own customer); the OpenAPI document marks these.</summary>
    public static bool Allows(string method, string route) =>
        Allowed.ContainsKey((method.ToUpperInvariant(), "/" + route.TrimStart('/').TrimEnd('/')));

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, SecretOrSessionRequirement requirement)
    {
        if (context.User.IsInRole("admin") || context.User.IsInRole("secret"))
        {
            context.Succeed(requirement);
            return;
        }

        if (!context.User.IsInRole(Role) || context.Resource is not HttpContext http)
        {
            return;
        }

        var customer = context.User.FindFirstValue(CustomerClaim);
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (customer is null || route is null || !Allowed.TryGetValue((http.Request.Method, "/" + route.TrimStart('/')), out var namedBy))
        {
            http.Items[ForbiddenDetailKey] = OutOfScope;
            return;
        }

        var named = namedBy == NamedBy.Route
            ? http.Request.RouteValues["id"] as string == customer
            : await BodyNamesOnlyAsync(http, customer);
        if (named)
        {
            context.Succeed(requirement);
            return;
        }

        http.Items[ForbiddenDetailKey] = namedBy == NamedBy.Route
            ? "This customer session token belongs to another customer."
            : "This customer session token belongs to another customer: the body's customer must be the session's.";
    }

    /// <summary>
    /// Whether the JSON body names the customer, and only that one. Every property that could bind to "customer" (in any
    /// case, repeated or not) is checked, so the binder cannot read a different one than this check did.
    /// </summary>
    private static async Task<bool> BodyNamesOnlyAsync(HttpContext http, string customer)
    {
        if (http.Request.ContentLength is > MaxBodyBytes)
        {
            return false;
        }

        http.Request.EnableBuffering(MaxBodyBytes, MaxBodyBytes);
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var names = document.RootElement.EnumerateObject()
                .Where(p => string.Equals(p.Name, "customer", StringComparison.OrdinalIgnoreCase)).ToList();
            return names.Count > 0 && names.All(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == customer);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return false; // not JSON, or longer than any body these routes take
        }
        finally
        {
            http.Request.Body.Position = 0;
        }
    }
}
