using Microsoft.AspNetCore.Authorization;

namespace Tollgate.Server.OpenApi;

/// <summary>Which key an endpoint needs, read from the same authorization metadata the middleware enforces.</summary>
public static class EndpointRoles
{
    /// <summary>The role value of an endpoint anyone may call.</summary>
    public const string Public = "public";

    /// <summary>The role value of an endpoint that takes any valid key.</summary>
    public const string AnyKey = "any";

    /// <summary>"public", the policy name ("admin", "secret"), or "any" for an authorize without a named policy.</summary>
    public static string Of(IList<object> metadata)
    {
        // AllowAnonymous wins over any RequireAuthorization, wherever it sits: that is how the middleware decides.
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return Public;
        }

        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        if (authorize.Count == 0)
        {
            return Public;
        }

        // Every policy applies; the last named one is the most specific (an endpoint's own over its group's).
        return authorize.LastOrDefault(a => !string.IsNullOrEmpty(a.Policy))?.Policy ?? AnyKey;
    }
}
