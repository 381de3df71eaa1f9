using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Tollgate.Server.Http;

/// <summary>
/// Turns what the framework throws on bad input (malformed JSON, a wrong type, an unknown field, a body too large)
/// into a 4xx problem that says what was wrong; anything else is a bug and answers a 500 problem. What was wrong is read
/// from the exception's type and properties and from the request, never from the framework's message text.
/// </summary>
public sealed class ErrorHandling(
    ILogger<ErrorHandling> logger, Tollgate.Storage.Database.TollgateDatabase database, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    IProblemPages? pages = null)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad when IsMissingBody(httpContext.Request) => Problems.MissingBody(),
            BadHttpRequestException bad => FromBadRequest(bad, httpContext),
            JsonException error => JsonProblem.Describe(error, httpContext, json.Value.SerializerOptions).ToResult(),
            // Events, settlements and LLM logging queue on the same bounded committer as consume: full means 503, not a bug.
            Tollgate.Storage.Database.OverloadedException => Problems.Overloaded(httpContext, Tollgate.Storage.Database.OverloadedException.RetryAfter),
            // Before the outage check, which would read its cause as a plain outage and invite a blind retry.
            Tollgate.Storage.Database.CommitOutcomeUnknownException => Problems.CommitOutcomeUnknown(httpContext),
            // A setting that does not fit the database (a pooler's mode) is the operator's to fix, not a bug: 503, with the
            // setting named in the log.
            _ when Advice(exception) is { } advice => Misconfigured(httpContext, exception, advice),
            _ when database.IsOutage(exception) => Outage(httpContext, exception),
            // Money is summed in checked arithmetic: an amount past what a bigint of minor units holds (an overage of 10^12
            // units at a price of 10^11) cannot be billed. That is the request's data, not a crash; it is logged too.
            OverflowException => AmountOutOfRange(httpContext, exception),
            _ => null,
        };
        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = Problems.Create(500, "internal_error", "An unexpected error occurred; it has been logged.");
        }

        if (pages?.Serves(httpContext) == true && !httpContext.Response.HasStarted)
        {
            await pages.Page(httpContext, problem).ExecuteAsync(httpContext);
            return true;
        }

        await problem.ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>The answer names no host and no internals; the log has them, the causes' messages included.</summary>
    private ProblemHttpResult Outage(HttpContext httpContext, Exception exception)
    {
        logger.LogWarning("Database unavailable on {Method} {Path}: {Error}", httpContext.Request.Method, httpContext.Request.Path, Tollgate.Storage.Database.OutageLog.Causes(exception));
        return Problems.DatabaseUnavailable(httpContext);
    }

    private ProblemHttpResult AmountOutOfRange(HttpContext httpContext, Exception exception)
    {
        logger.LogError(exception, "An amount past the largest billable one on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        return Problems.Create(422, "amount_out_of_range", AmountOutOfRangeCause + " To end the subscription without billing that usage, cancel it at once: "
            + "POST /v1/subscriptions/{id}/cancel with at_period_end false and bill_usage false, or DELETE /v1/customers/{id}?bill_usage=false.");
    }

    /// <summary>What an <c>amount_out_of_range</c> means, before the way out each surface words for its reader.</summary>
    public static readonly string AmountOutOfRangeCause = $"An amount this request computes is larger than {long.MaxValue:N0} minor units, the most "
        + "Tollgate bills: look for usage or a price far past what the customer could be charged.";

    private ProblemHttpResult Misconfigured(HttpContext httpContext, Exception exception, string advice)
    {
        logger.LogError(exception, "The database is misconfigured for {Method} {Path}: {Advice}", httpContext.Request.Method, httpContext.Request.Path, advice);
        return Problems.DatabaseMisconfigured(httpContext);
    }

    private string? Advice(Exception exception) =>
        database.Advice(exception) ?? (exception.InnerException is { } inner ? Advice(inner) : null);

    /// <summary>A request that sent no body at all, told by its headers rather than by the framework's message text.</summary>
    private static bool IsMissingBody(HttpRequest request) =>
        request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any(v => v?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        && HttpMethods.IsPost(request.Method) | HttpMethods.IsPut(request.Method) | HttpMethods.IsPatch(request.Method);

    private ProblemHttpResult FromBadRequest(BadHttpRequestException bad, HttpContext httpContext)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.Create(413, "body_too_large", $"The request body is larger than {TollgateOptions.MaxBodyBytes} bytes.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return Problems.UnsupportedMediaType();
        }

        if (bad.InnerException is JsonException error)
        {
            return JsonProblem.Describe(error, httpContext, json.Value.SerializerOptions).ToResult();
        }

        return BindingProblem.Find(httpContext) is { } unbound ? Problems.Validation(unbound.Field, unbound.Problem)
            : SentNullBody(httpContext) ? Problems.Validation("body", "must be a JSON object, not null")
            : Problems.Create(bad.StatusCode, "invalid_request", bad.Message);
    }

    /// <summary>
    /// A body that parsed (no JsonException) and every other parameter bound, on an endpoint that takes a JSON body: the
    /// only body left that the framework refuses is JSON's null.
    /// </summary>
    private static bool SentNullBody(HttpContext httpContext) =>
        !IsMissingBody(httpContext.Request) && httpContext.Request.HasJsonContentType()
        && JsonProblem.Endpoint(httpContext)?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is not null;
}
