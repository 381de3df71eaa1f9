using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tollgate.Server.Hosting;

/// <summary>
/// Turns what the framework throws on bad input (malformed JSON, a wrong type, an unknown field, a body too large)
/// into a 4xx problem that says what was wrong; anything else is a bug and answers a 500 problem.
/// </summary>
public sealed class ErrorHandling(ILogger<ErrorHandling> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(bad),
            JsonException json => Problems.Create(400, "invalid_json", Describe(json)),
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
            : Problems.Create(bad.StatusCode, "invalid_request", bad.Message);
    }

    /// <summary>Names the field: "$.amount: ..." from the path System.Text.Json reports.</summary>
    private static string Describe(JsonException json)
    {
        var message = json.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        if (json.InnerException is JsonException inner && !string.IsNullOrEmpty(inner.Message))
        {
            message = inner.Message;
        }

        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : ToField(json.Path);
        return field is null ? message : $"{field}: {message}";
    }

    private static string ToField(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}
