using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Http;

/// <summary>
/// Runs a keyed POST that holds its key's claim: every write transaction of the run also marks the claim applied, and the
/// answer is kept after the run (or the key let go). The answer reaches the client even when it cannot be kept: a 2xx
/// means the change committed, and the claim then stays applied, so a retry never runs the change again.
/// </summary>
internal static class IdempotentRun
{
    public static async Task<object?> RunAndKeepAsync(
        EndpointFilterInvocationContext context, EndpointFilterDelegate next, TollgateDatabase database, IdempotentClaim claim, TimeProvider time)
    {
        var http = context.HttpContext;
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        var settled = false; // the answer kept, or the claim no longer this request's
        var nothingWritten = false;
        try
        {
            object? result;
            try
            {
                using (database.AlsoInEveryWrite((c, tx, ct) => IdempotentRequests.MarkAppliedAsync(c, tx, claim, time.GetUtcNow().ToUnixTimeMilliseconds(), ct)))
                {
                    result = await next(context);
                }
            }
            catch (IdempotencyKeyTakenOverException)
            {
                settled = true;
                return IdempotentPost.KeyInUse("This request ran so long that a retry under its Idempotency-Key took it over; nothing of this "
                    + "one was written. Retry it to get the answer of the one that runs.");
            }

            http.Response.Body = buffer;
            switch (result)
            {
                case IResult r:
                    await r.ExecuteAsync(http);
                    break;
                case null:
                    break;
                default:
                    await http.Response.WriteAsJsonAsync(result, http.RequestAborted);
                    break;
            }

            var status = http.Response.StatusCode;
            var body = Encoding.UTF8.GetString(buffer.ToArray());
            nothingWritten = IdempotentPost.SaysNothingWritten(status, body);
            if (IdempotentPost.Keeps(status, body))
            {
                var answer = new KeptAnswer(status, http.Response.ContentType,
                    http.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null, body);
                try
                {
                    await IdempotentRequests.KeepAsync(database, claim, answer, time.GetUtcNow().ToUnixTimeMilliseconds());
                    settled = true;
                }
                catch (Exception e)
                {
                    // The change (if any) is committed and its mark with it: the client still gets the answer, and a retry
                    // is told the change was made rather than running it again.
                    Log(http).LogError(e, "Keeping the answer ({Status}) to {Method} {Path} under an Idempotency-Key failed; it is sent anyway",
                        status, http.Request.Method, http.Request.Path);
                }
            }

            buffer.Position = 0;
            http.Response.Body = original;
            await buffer.CopyToAsync(original, http.RequestAborted);
            return EmptyHttpResult.Instance;
        }
        finally
        {
            http.Response.Body = original;
            if (!settled)
            {
                await LetGoAsync(http, database, claim, nothingWritten, time);
            }
        }
    }

    /// <summary>Best effort, and never in place of the run's own error: a claim left behind is taken over later if nothing was applied.</summary>
    private static async Task LetGoAsync(HttpContext http, TollgateDatabase database, IdempotentClaim claim, bool nothingWritten, TimeProvider time)
    {
        try
        {
            await IdempotentRequests.LetGoAsync(database, claim, nothingWritten, time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        catch (Exception e)
        {
            Log(http).LogError(e, "Letting go of an Idempotency-Key after {Method} {Path} failed; a retry takes it over in 2 minutes unless it was applied",
                http.Request.Method, http.Request.Path);
        }
    }

    private static ILogger Log(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdempotentPost));
}

/// <summary>The kept answer, written as it was first written.</summary>
internal sealed class IdempotentReplay(int status, string? contentType, string? location, string body) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        // As a replayed consume says, and Stripe's replays: the answer is the first request's, not a second run's.
        TollgateHeaders.MarkReplayed(httpContext);
        if (contentType is not null)
        {
            httpContext.Response.ContentType = contentType;
        }

        if (location is not null)
        {
            httpContext.Response.Headers.Location = location;
        }

        await httpContext.Response.WriteAsync(body, httpContext.RequestAborted);
    }
}
