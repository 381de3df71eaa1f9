using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Core;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Http;

/// <summary>
/// Stripe's idempotent POSTs, for every state-changing endpoint that has no key of its own: under an
/// <c>Idempotency-Key</c>, the first request claims the key (a row in <c>idempotent_requests</c>, unique per API key), runs,
/// and its answer (status, body, Location) is kept; a retry gets that answer back byte for byte, and a request that
/// differs (another path or body) is 409 <c>idempotency_mismatch</c>. A duplicate sent while the first still runs waits
/// for its answer. A 5xx, a 409 <c>concurrent_change</c> or a 429 is not kept (nothing was written, so a retry runs again).
/// </summary>
public static class IdempotentPost
{
    /// <summary>How long a duplicate waits for the first request's answer before it is told the key is in use.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>A claim with no answer after this long was lost with its process; a retry takes the key over.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(2);

    /// <summary>Keys as Stripe's: at most 255 characters (a longer one would not fit PostgreSQL's unique index).</summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(
            new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(400, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]),
            new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(409, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]))
        .AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var header = http.Request.Headers[TollgateHeaders.IdempotencyKey].ToString();
            if (header.Length == 0)
            {
                return await next(context);
            }

            if (Validate.IdempotencyKey(header) is { } problem)
            {
                return Problems.Validation(TollgateHeaders.IdempotencyKey, problem);
            }

            var key = header;

            var database = http.RequestServices.GetRequiredService<TollgateDatabase>();
            var time = http.RequestServices.GetRequiredService<TimeProvider>();
            var scope = http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";
            // The path and the bound body: the same key with another request is a mismatch, as Stripe's is.
            var hash = RequestHash.Of(http.Request.Method, http.Request.Path.Value ?? "",
                JsonSerializer.Serialize(context.Arguments.Where(a => a?.GetType().Namespace == "Tollgate.Contracts")));
            var ct = http.RequestAborted;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            while (true)
            {
                if (await ClaimAsync(database, scope, key, hash, time, ct))
                {
                    break;
                }

                var kept = await ReadAsync(database, scope, key, ct);
                if (kept is null)
                {
                    continue; // the first request failed and let the key go: claim it again
                }

                if (kept.RequestHash != hash)
                {
                    return Problems.Create(409, "idempotency_mismatch",
                        "This Idempotency-Key was used for a different request; use a new key for a new request.");
                }

                if (kept.StatusCode is { } status)
                {
                    return new Replay(status, kept.ContentType, kept.Location, kept.Body ?? "");
                }

                if (time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(kept.CreatedAt) > Abandoned
                    && await TakeOverAsync(database, scope, key, kept.CreatedAt, time, ct))
                {
                    break;
                }

                if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > Wait)
                {
                    return Problems.Create(409, "idempotency_key_in_use",
                        "A request with this Idempotency-Key is still being processed; retry it later.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(25), CancellationToken.None);
            }

            return await RunAndKeepAsync(context, next, database, scope, key, time);
        });

    private static async Task<object?> RunAndKeepAsync(
        EndpointFilterInvocationContext context, EndpointFilterDelegate next, TollgateDatabase database, string scope, string key, TimeProvider time)
    {
        var http = context.HttpContext;
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        var kept = false;
        try
        {
            var result = await next(context);
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
            if (Keeps(status, body))
            {
                await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
                    UPDATE idempotent_requests SET status_code = @status, content_type = @type, location = @location, body = @body, answered_at = @now
                    WHERE scope = @scope AND idempotency_key = @key
                    """, new
                {
                    scope, key, status, type = http.Response.ContentType, location = http.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null,
                    body, now = time.GetUtcNow().ToUnixTimeMilliseconds(),
                }, tx)), CancellationToken.None);
                kept = true;
            }

            buffer.Position = 0;
            http.Response.Body = original;
            await buffer.CopyToAsync(original, http.RequestAborted);
            return EmptyHttpResult.Instance;
        }
        finally
        {
            http.Response.Body = original;
            if (!kept)
            {
                await ReleaseAsync(database, scope, key);
            }
        }
    }

    /// <summary>Nothing was written by a 5xx, a refused concurrent change or a rate limit: the key is let go, and a retry runs again.</summary>
    private static bool Keeps(int status, string body) =>
        status < 500 && status != 429 && !(status == 409 && body.Contains("\"concurrent_change\"", StringComparison.Ordinal));

    private static Task<bool> ClaimAsync(TollgateDatabase database, string scope, string key, string hash, TimeProvider time, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO idempotent_requests (scope, idempotency_key, request_hash, created_at) VALUES (@scope, @key, @hash, @now)
            ON CONFLICT (scope, idempotency_key) DO NOTHING
            """, new { scope, key, hash, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: ct)) == 1, ct);

    private static Task<bool> TakeOverAsync(TollgateDatabase database, string scope, string key, long createdAt, TimeProvider time, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition("""
            UPDATE idempotent_requests SET created_at = @now
            WHERE scope = @scope AND idempotency_key = @key AND created_at = @createdAt AND status_code IS NULL
            """, new { scope, key, createdAt, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: ct)) == 1, ct);

    private static Task ReleaseAsync(TollgateDatabase database, string scope, string key) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotent_requests WHERE scope = @scope AND idempotency_key = @key AND status_code IS NULL",
            new { scope, key }, tx)), CancellationToken.None);

    private static Task<KeptRequest?> ReadAsync(TollgateDatabase database, string scope, string key, CancellationToken ct) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<KeptRequest>(new CommandDefinition("""
            SELECT request_hash AS RequestHash, status_code AS StatusCode, content_type AS ContentType, location AS Location, body AS Body,
                created_at AS CreatedAt
            FROM idempotent_requests WHERE scope = @scope AND idempotency_key = @key
            """, new { scope, key }, cancellationToken: ct)), ct);

    private sealed class KeptRequest
    {
        public string RequestHash { get; set; } = "";
        public int? StatusCode { get; set; }
        public string? ContentType { get; set; }
        public string? Location { get; set; }
        public string? Body { get; set; }
        public long CreatedAt { get; set; }
    }

    /// <summary>The kept answer, written as it was first written.</summary>
    private sealed class Replay(int status, string? contentType, string? location, string body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            // As a replayed consume says, and Stripe's replays: the answer is the first request's, not a second run's.
            httpContext.Response.Headers["Idempotent-Replayed"] = "true";
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
}
