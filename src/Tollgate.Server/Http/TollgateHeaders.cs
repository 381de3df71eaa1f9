namespace Tollgate.Server.Http;

/// <summary>Request headers more than one capability reads, named once.</summary>
public static class TollgateHeaders
{
    /// <summary>Makes a write safe to retry: the same key answers the first outcome.</summary>
    public const string IdempotencyKey = "Idempotency-Key";
}
