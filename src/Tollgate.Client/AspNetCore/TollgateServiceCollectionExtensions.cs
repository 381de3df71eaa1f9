using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tollgate.Client.AspNetCore;

/// <summary>Registers the Tollgate client for dependency injection.</summary>
public static class TollgateServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="TollgateClient"/> as a typed HttpClient (pooled by IHttpClientFactory) configured by
    /// <paramref name="configure"/>, and what <c>RequireQuota</c> needs.
    /// </summary>
    public static IHttpClientBuilder AddTollgate(this IServiceCollection services, Action<TollgateOptions> configure)
    {
        services.Configure(configure);
        return services.AddHttpClient<TollgateClient>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<TollgateOptions>>().Value;
            http.BaseAddress = options.BaseAddress;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        });
    }
}
