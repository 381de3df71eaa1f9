using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;

namespace Tollgate.Client.AspNetCore;

/// <summary>Registers the Tollgate client for dependency injection.</summary>
public static class TollgateServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="TollgateClient"/> as a typed HttpClient (pooled by IHttpClientFactory) configured by
    /// <paramref name="configure"/>, and what <c>RequireQuota</c> needs. The client retries as <see cref="TollgateRetry"/>
    /// says, <see cref="TollgateOptions.MaxRetries"/> times; a handler added to the returned builder runs inside the retries,
    /// once per attempt.
    /// </summary>
    public static IHttpClientBuilder AddTollgate(this IServiceCollection services, Action<TollgateOptions> configure)
    {
        services.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        var builder = services.AddHttpClient<TollgateClient>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<TollgateOptions>>().Value;
            http.BaseAddress = options.BaseAddress;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        });
        builder.AddResilienceHandler("tollgate", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<TollgateOptions>>().Value;
            ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(TollgateOptions.MaxRetries));
            if (options.MaxRetries > 0)
            {
                pipeline.AddRetry(TollgateRetry.CreateOptions(options.MaxRetries, options.RetryBaseDelay,
                    context.ServiceProvider.GetRequiredService<TimeProvider>()));
            }
        });
        return builder;
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
