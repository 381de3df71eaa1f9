using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tollgate.Client.AspNetCore;

/// <summary>Gates minimal-API endpoints on a Tollgate quota.</summary>
public static class QuotaEndpointExtensions
{
    /// <summary>
    /// Reserves <paramref name="amount"/> units of <paramref name="feature"/> for the caller before the handler, commits
    /// them when it succeeds, releases them when it fails, and answers the caller 429 or 402 when denied.
    /// </summary>
    public static TBuilder RequireQuota<TBuilder>(this TBuilder builder, string feature, long amount = 1)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireQuota(feature, _ => amount);

    /// <summary>As <see cref="RequireQuota{TBuilder}(TBuilder, string, long)"/>, with the amount computed from the request.</summary>
    public static TBuilder RequireQuota<TBuilder>(this TBuilder builder, string feature, Func<HttpContext, long> amount)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(new QuotaFilter(feature, amount));
        return builder;
    }

    /// <summary>Tells <c>RequireQuota</c> how many units the handler really used, so the commit settles to it.</summary>
    public static void SetQuotaUsage(this HttpContext context, string feature, long actual) =>
        context.Items[QuotaFilter.ActualKey(feature)] = actual;
}

internal sealed class QuotaFilter(string feature, Func<HttpContext, long> amount) : IEndpointFilter
{
    public static string ActualKey(string feature) => "tollgate.actual." + feature;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptions<TollgateOptions>>().Value;
        var client = http.RequestServices.GetRequiredService<TollgateClient>();
        var customer = options.CustomerResolver(http);
        if (customer is null)
        {
            return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "Sign in to use this feature.",
                extensions: new Dictionary<string, object?> { ["error"] = "unauthenticated" });
        }

        var units = amount(http);
        Reservation reservation;
        try
        {
            var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault() is { Length: > 0 } k ? $"{k}:{feature}" : null;
            reservation = await client.ReserveAsync(customer, feature, units, options.ReservationTtl, key, http.RequestAborted);
        }
        catch (EntitlementDeniedException denied)
        {
            return Denied(http, denied);
        }
        catch (HttpRequestException) when (options.FailOpen)
        {
            return await next(context);
        }
        catch (HttpRequestException)
        {
            return Results.Problem(statusCode: 503, title: "Service unavailable", detail: "Usage limits cannot be checked right now.",
                extensions: new Dictionary<string, object?> { ["error"] = "quota_unavailable" });
        }

        object? result;
        try
        {
            result = await next(context);
        }
        catch
        {
            await reservation.ReleaseAsync(CancellationToken.None);
            throw;
        }

        if (result is IStatusCodeHttpResult { StatusCode: >= 400 })
        {
            await reservation.ReleaseAsync(CancellationToken.None);
            return result;
        }

        var actual = http.Items.TryGetValue(ActualKey(feature), out var set) && set is long l ? l : units;
        await reservation.CommitAsync(actual, CancellationToken.None);
        return result;
    }

    /// <summary>The same problem Tollgate gave, passed on to the app's own caller.</summary>
    private static IResult Denied(HttpContext http, EntitlementDeniedException denied)
    {
        if (denied is QuotaExceededException && denied.ResetsAt is { } reset)
        {
            var now = (http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
            var seconds = Math.Max(1, (long)Math.Ceiling((reset - now).TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var extensions = denied.Problem.Where(p => p.Key is not ("type" or "title" or "status" or "detail" or "instance"))
            .ToDictionary(p => p.Key, p => (object?)p.Value);
        return Results.Problem(statusCode: (int)denied.Status, title: denied.Problem["title"]?.GetValue<string>(), detail: denied.Detail,
            type: denied.Problem["type"]?.GetValue<string>(), extensions: extensions);
    }
}
