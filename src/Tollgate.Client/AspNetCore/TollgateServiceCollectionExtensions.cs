using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.TryAddSingleton(TimeProvider.System);
        return services.AddHttpClient<TollgateClient>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<TollgateOptions>>().Value;
            http.BaseAddress = options.BaseAddress;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        });
    }

    /// <summary>
    /// Adds LLM usage capture: register <see cref="Llm.TollgateLlmUsageHandler"/> on the HttpClient that calls the model
    /// provider (<c>.AddHttpMessageHandler&lt;TollgateLlmUsageHandler&gt;()</c>) and say whose calls they are with
    /// <see cref="Llm.TollgateLlm.For"/>. Needs <see cref="AddTollgate"/>.
    /// </summary>
    public static IServiceCollection AddTollgateLlmCapture(this IServiceCollection services, Action<Llm.LlmCaptureOptions>? configure = null)
    {
        services.Configure(configure ?? (_ => { }));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Llm.LlmUsageBuffer>();
        services.TryAddTransient<Llm.TollgateLlmUsageHandler>();
        services.AddHostedService<Llm.LlmUsageSender>();
        return services;
    }
}
