using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Tollgate.Server.Http;

namespace Tollgate.Server.Observability;

/// <summary>GET /metrics in the Prometheus text format: open to the configured networks, otherwise for an admin key.</summary>
public static class MetricsApi
{
    public static IEndpointRouteBuilder MapPrometheusMetrics(this IEndpointRouteBuilder app)
    {
        // Left out of the OpenAPI document: who may read it depends on the caller's network, not on a key role
        // (configuration.md documents it), and Prometheus, not an API client, is what scrapes it.
        app.MapGet("/metrics", ScrapeAsync).WithTags("Health").AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ScrapeAsync(
        HttpContext http, PrometheusExposition exposition, IAuthorizationService authorization, IOptions<ObservabilityOptions> options)
    {
        var address = http.Connection.RemoteIpAddress;
        address = address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
        var open = address is not null && options.Value.Networks().Any(n => n.Contains(address));
        if (!open && !(await authorization.AuthorizeAsync(http.User, Policies.Admin)).Succeeded)
        {
            return http.User.Identity?.IsAuthenticated == true
                ? Problems.Create(403, "forbidden", "Reading /metrics needs an admin key from outside Tollgate:Observability:MetricsNetworks.")
                : Problems.Create(401, "missing_api_key", "Reading /metrics from this address needs an admin key (or add its network to Tollgate:Observability:MetricsNetworks).");
        }

        return TypedResults.Text(await exposition.WriteAsync(http.RequestAborted), PrometheusExposition.ContentType);
    }
}
