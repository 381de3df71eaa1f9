using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Core;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Http;

/// <summary>
/// Stripe's idempotent POSTs, for every state-changing endpoint that has no key of its own: under an
/// <c>Idempotency-Key</c>, the first request claims the key (a row in <c>idempotent_requests</c>, unique per API key), runs,
/// and its answer (status, body, Location) is kept; a retry gets that answer back byte for byte, and a request that
/// differs (another path or body) is 409 <c>idempotency_mismatch</c>. A duplicate sent while the first still runs waits
/// for its answer. Every transaction the request commits also marks the claim applied, so the change and the mark commit
/// together: a 5xx, a 409 <c>concurrent_change</c> or a 429 lets the key go (a retry runs again) only where nothing was
/// applied, and a claim applied whose answer was lost (a failed save, a process that died) is never run again: a retry is
/// told so (409 <c>idempotency_answer_lost</c>).
/// </summary>
public static class IdempotentPost
{
    /// <summary>How long a duplicate waits for the first request's answer before it is told the key is in use.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>A claim with no answer after this long was lost with its process; a retry takes the key over if nothing was applied.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(2);

    /// <summary>Keys as Stripe's: at most 255 characters (a longer one would not fit PostgreSQL's unique index).</summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(
            new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(400, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]),
            new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(409, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]),
            IdempotentEndpoint.Instance)
        .AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            // Absent, the request runs once as sent; present but empty, it is refused like any other bad key, since a
            // client that sends the header means its retries to be matched.
            if (!http.Request.Headers.TryGetValue(TollgateHeaders.IdempotencyKey, out var sent))
            {
                return await next(context);
            }

            var key = sent.ToString();

            if (Validate.IdempotencyKey(key) is { } problem)
            {
                return Problems.Validation(TollgateHeaders.IdempotencyKey, problem);
            }

            var database = http.RequestServices.GetRequiredService<TollgateDatabase>();
            var time = http.RequestServices.GetRequiredService<TimeProvider>();
            var scope = http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";
            // The path and the bound body: the same key with another request is a mismatch, as Stripe's is.
            var hash = RequestHash.Of(http.Request.Method, http.Request.Path.Value ?? "",
                JsonSerializer.Serialize(context.Arguments.Where(a => a?.GetType().Namespace == "Tollgate.Contracts")));
            var (claim, answer) = await ClaimAsync(database, time, scope, key, hash, http.RequestAborted);
            return claim is null ? answer : await IdempotentRun.RunAndKeepAsync(context, next, database, claim, time);
        });

    /// <summary>The key's claim for this request; or, when another request holds or held it, the answer this one gets instead.</summary>
    private static async Task<(IdempotentClaim? Claim, IResult? Answer)> ClaimAsync(
        TollgateDatabase database, TimeProvider time, string scope, string key, string hash, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (await IdempotentRequests.ClaimAsync(database, scope, key, hash, now, ct) is { } claimed)
            {
                return (claimed, null);
            }

            var kept = await IdempotentRequests.ReadAsync(database, scope, key, ct);
            if (kept is null)
            {
                continue; // the first request failed and let the key go: claim it again
            }

            if (kept.RequestHash != hash)
            {
                return (null, Problems.Create(409, "idempotency_mismatch",
                    "This Idempotency-Key was used for a different request; use a new key for a new request."));
            }

            if (kept.StatusCode is { } status)
            {
                return (null, new IdempotentReplay(status, kept.ContentType, kept.Location, kept.Body ?? ""));
            }

            // The first request ended without keeping its answer, or died with its process.
            var over = kept.AnsweredAt is not null || now - kept.CreatedAt > (long)Abandoned.TotalMilliseconds;
            if (over && kept.AppliedAt is not null)
            {
                return (null, AnswerLost);
            }

            if (over && await IdempotentRequests.TakeOverAsync(database, scope, key, kept.CreatedAt, now, ct) is { } taken)
            {
                return (taken, null);
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > Wait)
            {
                return (null, KeyInUse("A request with this Idempotency-Key is still being processed; retry it later."));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), CancellationToken.None);
        }
    }

    internal static ProblemHttpResult KeyInUse(string detail) => Problems.Create(409, "idempotency_key_in_use", detail);

    /// <summary>
    /// The change was made and its answer is gone; running it again would make it twice. Stripe replays a first request's
    /// failure rather than run it again; the failure here is only the answer's, so the caller is told to read the result.
    /// </summary>
    private static ProblemHttpResult AnswerLost => Problems.Create(409, "idempotency_answer_lost",
        "The request under this Idempotency-Key was applied, but its answer was lost (the server failed after the change was "
        + "committed). It is not run again: read the resource's current state to see the result.");

    /// <summary>Nothing was written by a 5xx, a refused concurrent change or a rate limit: the key is let go, and a retry runs again.</summary>
    internal static bool Keeps(int status, string body) => status < 500 && !SaysNothingWritten(status, body);

    /// <summary>The answers whose own meaning is that the change was not made: a rate limit, or a change refused as concurrent.</summary>
    internal static bool SaysNothingWritten(int status, string body) =>
        status == 429 || (status == 409 && body.Contains("\"concurrent_change\"", StringComparison.Ordinal));
}

/// <summary>Endpoint metadata: the endpoint honours <c>Idempotency-Key</c> (<see cref="IdempotentPost.WithIdempotency"/>).</summary>
public sealed class IdempotentEndpoint
{
    public static readonly IdempotentEndpoint Instance = new();

    private IdempotentEndpoint()
    {
    }
}

/// <summary>
/// Endpoint metadata: the endpoint keeps its own answers for a retry (a consume or reserve under its key, a reservation's
/// settlement), so its 2xx may carry <c>Idempotent-Replayed</c>.
/// </summary>
public sealed class ReplaysAnswers
{
    public static readonly ReplaysAnswers Instance = new();

    private ReplaysAnswers()
    {
    }
}
