using Microsoft.AspNetCore.Http.HttpResults;

namespace Tollgate.Server.Http;

/// <summary>Every error is problem+json (RFC 9457) with a machine-readable "error" code.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string error, string detail, IDictionary<string, object?>? extensions = null)
    {
        var ext = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["error"] = error };
        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleFor(status), type: TypeFor(error), extensions: ext);
    }

    /// <summary>503 overloaded: the node holds as many hot-path operations as it may and wrote nothing.</summary>
    public static ProblemHttpResult Overloaded(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(503, "overloaded", $"This node is at capacity and wrote nothing; retry after {seconds} s.",
            new Dictionary<string, object?> { ["retry_after_seconds"] = seconds });
    }

    /// <summary>
    /// 503 database_unavailable with Retry-After: retryable, and naming nothing about the database (its host and port are
    /// the operator's, in the log, not any caller's).
    /// </summary>
    public static ProblemHttpResult DatabaseUnavailable(HttpContext http)
    {
        http.Response.Headers.RetryAfter = DatabaseRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(503, "database_unavailable", "The database is unavailable right now; retry after a few seconds.");
    }

    /// <summary>
    /// 503 commit_outcome_unknown: the connection broke after the commit was sent, so the request may have been recorded.
    /// Unlike database_unavailable, a retry is safe only with the same Idempotency-Key, which answers the first outcome.
    /// </summary>
    public static ProblemHttpResult CommitOutcomeUnknown(HttpContext http)
    {
        http.Response.Headers.RetryAfter = DatabaseRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(503, "commit_outcome_unknown",
            "The database could not confirm this request's commit (the connection failed, or its synchronous standby did not "
            + "acknowledge it), so it may or may not have been recorded; retry only with the same Idempotency-Key.");
    }

    /// <summary>
    /// 503 database_misconfigured: the database, or a pooler in front of it, is not set up as this server expects (a
    /// pooler in transaction mode with prepared statements on). The setting to change is in the operator's log, not here.
    /// </summary>
    public static ProblemHttpResult DatabaseMisconfigured(HttpContext http)
    {
        http.Response.Headers.RetryAfter = DatabaseRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(503, "database_misconfigured",
            "The database is not set up as this server expects; the server's log names the setting to change. Retry later.");
    }

    /// <summary>Seconds a client should wait after a database outage answer; a restart usually takes a few.</summary>
    public const int DatabaseRetryAfterSeconds = 5;

    public static ProblemHttpResult NotFound(string what, string id) =>
        Create(StatusCodes.Status404NotFound, "not_found", $"No {what} '{id}'.", new Dictionary<string, object?> { ["resource"] = what });

    /// <summary>A 400 naming each bad field: errors maps a field path to what is wrong with it.</summary>
    public static ProblemHttpResult Validation(IReadOnlyDictionary<string, string> errors) =>
        Create(StatusCodes.Status400BadRequest, "validation_failed",
            string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")),
            new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string> { [field] = message });

    /// <summary>415: a body that is not JSON in UTF-8, sent where JSON is read.</summary>
    public static ProblemHttpResult UnsupportedMediaType(string detail = "Send the body as application/json.") =>
        Create(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", detail);

    /// <summary>A request that needs a JSON body and sent none.</summary>
    public static ProblemHttpResult MissingBody() => Validation("body", "is required: send a JSON object");

    public static string TypeFor(string error) => $"https://tollgate.dev/errors/{error.Replace('_', '-')}";

    public static string TitleFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        402 => "Payment required",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        413 => "Payload too large",
        414 => "URI too long",
        415 => "Unsupported media type",
        422 => "Unprocessable",
        429 => "Too many requests",
        431 => "Request header fields too large",
        502 => "Bad gateway",
        503 => "Service unavailable",
        _ => status >= 500 ? "Internal server error" : "Error",
    };
}
