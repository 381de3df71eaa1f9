using Microsoft.Extensions.Options;
using Tollgate.Server.Auth;

namespace Tollgate.Server.Composition;

/// <summary>ASP.NET Core's CORS middleware with one policy built from <see cref="BrowserCorsOptions"/>.</summary>
public static class BrowserCors
{
    public static IServiceCollection AddBrowserCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BrowserCorsOptions>().Bind(configuration.GetSection(BrowserCorsOptions.Section)).ValidateOnStart()
            .Validate(o => o.AllowedOrigins.All(BrowserCorsOptions.IsOrigin),
                "Tollgate:Cors:AllowedOrigins must be origins such as https://app.example.com (scheme, host and port; no path or wildcard)");
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<BrowserCorsOptions>>((cors, browser) => cors.AddDefaultPolicy(p => p
                .WithOrigins([.. browser.Value.AllowedOrigins.Where(BrowserCorsOptions.IsOrigin)])
                // Bearer tokens, never cookies: no credentials mode, so a page cannot ride on a signed-in console session.
                .WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "User-Agent")
                .WithMethods("GET", "POST", "DELETE")
                .WithExposedHeaders("Retry-After", "Location")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }
}
