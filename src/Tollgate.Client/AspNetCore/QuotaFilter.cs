using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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

/// <summary>
/// Reserve, run, then commit or release. Every way Tollgate can fail to decide (unreachable, 5xx, a rejected key) goes
/// through <see cref="TollgateOptions.OnError"/>, and an unknown customer is answered 403 customer_unknown, so the app's
/// caller never sees an unhandled 500.
/// </summary>
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
        // The caller's Idempotency-Key is not passed on: a replayed reservation let the handler run again uncounted (20
        // runs counted 1), and a gate cannot replay the handler's answer, so each run is one reservation.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(options.GateTimeout);
        Reservation reservation;
        try
        {
            reservation = await ReserveAsync(client, options, customer, units, deadline.Token);
        }
        catch (EntitlementDeniedException denied) when (IsDenial(denied.Error))
        {
            return options.OnDenied is { } shape ? shape(http, denied) : QuotaDenials.Default(http, denied, options.BaseAddress);
        }
        catch (TollgateNotFoundException e) when (e.Resource == "customer")
        {
            // Tollgate answered, so this is not an outage for OnError: the app never created this customer.
            Log(http, customer, e);
            return QuotaDenials.CustomerUnknown();
        }
        catch (TollgateException e) when (e.Status == System.Net.HttpStatusCode.BadRequest)
        {
            // Tollgate takes no such usage (an amount of 0, an id with a space), most often read from the caller's own
            // request: the caller is answered 400 naming the fields, where the exception made the app answer 500.
            Log(http, customer, e);
            return QuotaDenials.InvalidUsage(e);
        }
        catch (Exception e) when (IsTollgateFailure(e, http.RequestAborted))
        {
            Log(http, customer, e);
            return options.OnError == TollgateErrorPolicy.FailOpen
                ? await next(context)
                : Results.Problem(statusCode: 503, title: "Service unavailable", detail: "Usage limits cannot be checked right now.",
                    extensions: new Dictionary<string, object?> { ["error"] = "quota_unavailable" });
        }

        object? result;
        try
        {
            result = await next(context);
        }
        catch
        {
            await SettleAsync(http, customer, () => reservation.ReleaseAsync(CancellationToken.None));
            throw;
        }

        if (result is IStatusCodeHttpResult { StatusCode: >= 400 })
        {
            await SettleAsync(http, customer, () => reservation.ReleaseAsync(CancellationToken.None));
            return result;
        }

        var actual = http.Items.TryGetValue(ActualKey(feature), out var set) && set is long l ? l : units;
        await SettleAsync(http, customer, () => reservation.CommitAsync(actual, CancellationToken.None));
        return result;
    }

    /// <summary>
    /// Commits or releases after the handler ran; a failure then is logged, not thrown, because the work is done and
    /// its answer stands (an unsettled hold lapses after ReservationTtl).
    /// </summary>
    private async Task SettleAsync(HttpContext http, string customer, Func<Task> settle)
    {
        try
        {
            await settle();
        }
        catch (Exception e) when (e is TollgateException || IsTollgateFailure(e, CancellationToken.None))
        {
            Log(http, customer, e);
        }
    }

    private async Task<Reservation> ReserveAsync(
        TollgateClient client, TollgateOptions options, string customer, long units, CancellationToken cancellationToken)
    {
        var seconds = (int)Math.Ceiling(options.ReservationTtl.TotalSeconds);
        try
        {
            return await client.ReserveAsync(new(customer, feature, units, seconds, null), failFast: true, cancellationToken);
        }
        catch (TollgateNotFoundException e) when (options.AutoCreateCustomers && e.Resource == "customer")
        {
            // An upsert with no fields creates the customer, or leaves one made meanwhile by another request as it is.
            await client.UpsertCustomerAsync(customer, new Tollgate.Contracts.UpsertCustomerRequest(), cancellationToken);
            return await client.ReserveAsync(new(customer, feature, units, seconds, null), failFast: true, cancellationToken);
        }
    }

    /// <summary>
    /// A decision of Tollgate's carries its problem's code; a 429 or 402 without one (its <c>Error</c> made up as
    /// "http_429") came from something in front of it, such as a gateway. The Python and TypeScript gates read it so too.
    /// </summary>
    private static bool IsDenial(string error) => !error.StartsWith("http_", StringComparison.Ordinal);

    /// <summary>
    /// Tollgate could not decide: not reachable, no answer within <see cref="TollgateOptions.GateTimeout"/>, 5xx, a 429
    /// that is no denial of Tollgate's (a gateway throttling), or this app's key refused.
    /// </summary>
    private static bool IsTollgateFailure(Exception e, CancellationToken requestAborted) => e switch
    {
        HttpRequestException => true,
        OperationCanceledException => !requestAborted.IsCancellationRequested, // the gate's deadline, not the caller hanging up
        TollgateUnavailableException or TollgateAuthenticationException or TollgatePermissionException => true,
        TollgateException { Status: System.Net.HttpStatusCode.TooManyRequests or System.Net.HttpStatusCode.PaymentRequired } t => !IsDenial(t.Error),
        TollgateException { Status: System.Net.HttpStatusCode.RequestTimeout } => true, // a proxy's 408, as the other SDKs' gates read it
        _ => false,
    };

    private void Log(HttpContext http, string customer, Exception e)
    {
        var logger = http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Tollgate.Client.RequireQuota");
        var hint = e is TollgateNotFoundException
            ? " Create customers at sign-up (UpsertCustomerAsync), or set AutoCreateCustomers."
            : "";
        logger?.LogWarning(e, "Tollgate could not decide '{Feature}' for customer {Customer}: {Message}.{Hint}", feature, customer, e.Message, hint);
    }
}
