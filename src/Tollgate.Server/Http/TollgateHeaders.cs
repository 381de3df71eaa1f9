using Microsoft.AspNetCore.Http.HttpResults;

namespace Tollgate.Server.Http;

/// <summary>Headers more than one capability reads or writes, named once.</summary>
public static class TollgateHeaders
{
    /// <summary>Makes a write safe to retry: the same key answers the first outcome.</summary>
    public const string IdempotencyKey = "Idempotency-Key";

    /// <summary>On an answer kept from an earlier request under the same key, as Stripe's replays say: not a second run.</summary>
    public const string IdempotentReplayed = "Idempotent-Replayed";

    /// <summary>Marks <paramref name="http"/>'s answer as the replay of an earlier request's.</summary>
    public static void MarkReplayed(HttpContext http) => http.Response.Headers[IdempotentReplayed] = "true";

    /// <summary>A 200 with <paramref name="body"/>, the kept answer of an earlier request under the same key, marked as such.</summary>
    public static Ok<T> Replayed<T>(HttpContext http, T body)
    {
        MarkReplayed(http);
        return TypedResults.Ok(body);
    }
}
