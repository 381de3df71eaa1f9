using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tollgate.Server.Hosting;

/// <summary>
/// Turns what the framework throws on bad input (malformed JSON, a wrong type, an unknown field, a body too large)
/// into a 4xx problem that says what was wrong; anything else is a bug and answers a 500 problem.
/// </summary>
public sealed partial class ErrorHandling(ILogger<ErrorHandling> logger, Tollgate.Storage.Database.TollgateDatabase database) : IExceptionHandler
{
    /// <summary>Seconds a client should wait after a database outage answer; a restart usually takes a few.</summary>
    public const int OutageRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad when IsMissingBody(httpContext.Request) => Problems.Validation("body", "is required: send a JSON object"),
            BadHttpRequestException bad => FromBadRequest(bad),
            JsonException json => Problems.Create(400, "invalid_json", Describe(json)),
            // Events, settlements and LLM logging queue on the same bounded committer as consume: full means 503, not a bug.
            Tollgate.Storage.Database.OverloadedException => Problems.Overloaded(httpContext, Tollgate.Storage.Database.OverloadedException.RetryAfter),
            _ when IsOutage(exception) => Outage(httpContext, exception),
            _ => null,
        };
        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = Problems.Create(500, "internal_error", "An unexpected error occurred; it has been logged.");
        }

        await problem.ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>The database could not be reached or refused for now (restart, failover, full pool): retryable, not a bug.</summary>
    private bool IsOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException { IsTransient: true } || database.IsTransient(e))
            {
                return true;
            }
        }

        return false;
    }

    private ProblemHttpResult Outage(HttpContext httpContext, Exception exception)
    {
        logger.LogWarning("Database unavailable on {Method} {Path}: {Error}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        httpContext.Response.Headers.RetryAfter = OutageRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Create(503, "database_unavailable", "The database is unavailable right now; retry after a few seconds.");
    }

    /// <summary>A request that sent no body at all, told by its headers rather than by the framework's message text.</summary>
    private static bool IsMissingBody(HttpRequest request) =>
        request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any(v => v?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        && HttpMethods.IsPost(request.Method) | HttpMethods.IsPut(request.Method) | HttpMethods.IsPatch(request.Method);

    private static ProblemHttpResult FromBadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.Create(413, "body_too_large", $"The request body is larger than {TollgateOptions.MaxBodyBytes} bytes.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return Problems.Create(415, "unsupported_media_type", "Send the body as application/json.");
        }

        return bad.InnerException is JsonException json
            ? Problems.Create(400, "invalid_json", Describe(json))
            : BadParameter().Match(bad.Message) is { Success: true } parameter
                ? Problems.Validation(parameter.Groups[2].Value, $"'{parameter.Groups[3].Value}' is not {Wanted(parameter.Groups[1].Value)}")
                : Problems.Create(bad.StatusCode, "invalid_request", bad.Message);
    }

    /// <summary>Names the field and says what is wrong in wire terms, never in .NET type names.</summary>
    internal static string Describe(JsonException json)
    {
        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : ToField(json.Path);
        var message = (json.InnerException as JsonException)?.Message is { Length: > 0 } inner ? inner : json.Message;
        var missing = MissingRequired().Match(message);
        if (missing.Success)
        {
            return $"{Prefix(field)}{missing.Groups[1].Value}: is required";
        }

        var unmapped = Unmapped().Match(message);
        if (unmapped.Success)
        {
            return $"{field ?? unmapped.Groups[1].Value}: unknown field";
        }

        if (message.Contains("doesn't allow null values", StringComparison.Ordinal)
            || message.Contains("null value", StringComparison.Ordinal))
        {
            return $"{field ?? "body"}: must not be null";
        }

        var converted = NotConvertible().Match(message);
        if (converted.Success)
        {
            return $"{field ?? "body"}: {Expected(converted.Groups[1].Value)}";
        }

        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut >= 0 ? message[..cut] : message;
        return field is null ? message : $"{field}: {message}";
    }

    /// <summary>A query or route value in words, for "Failed to bind parameter "int? limit" from "abc"".</summary>
    private static string Wanted(string type) => type.TrimEnd('?') switch
    {
        "int" or "long" or "Int32" or "Int64" => "a whole number",
        "bool" or "Boolean" => "true or false",
        "decimal" or "double" => "a number",
        "DateTimeOffset" or "DateTime" => "an ISO 8601 instant",
        _ => "a valid value",
    };

    [System.Text.RegularExpressions.GeneratedRegex("Failed to bind parameter \"([^ \"]+) ([^ \"]+)\" from \"([^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex BadParameter();

    private static string Prefix(string? field) => field is null ? "" : field + ".";

    private static string Expected(string type) => type switch
    {
        "System.Int64" or "System.Int32" or "System.Nullable`1[System.Int64]" or "System.Nullable`1[System.Int32]"
            => "must be a whole number",
        "System.Decimal" or "System.Nullable`1[System.Decimal]" => "must be a number",
        "System.String" => "must be a string",
        "System.Boolean" or "System.Nullable`1[System.Boolean]" => "must be true or false",
        _ => "has the wrong type",
    };

    [System.Text.RegularExpressions.GeneratedRegex("missing required properties including: '([^']+)'")]
    private static partial System.Text.RegularExpressions.Regex MissingRequired();

    [System.Text.RegularExpressions.GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial System.Text.RegularExpressions.Regex Unmapped();

    [System.Text.RegularExpressions.GeneratedRegex("could not be converted to ([^ .]+(?:\\.[^ .]+)*)")]
    private static partial System.Text.RegularExpressions.Regex NotConvertible();

    private static string ToField(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}
