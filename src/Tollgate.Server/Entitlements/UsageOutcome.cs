using Tollgate.Core.Entitlements;

namespace Tollgate.Server.Entitlements;

/// <summary>What a hot-path operation came to; the API maps each case to its status code.</summary>
public abstract record UsageOutcome
{
    private UsageOutcome()
    {
    }

    /// <summary>A decision: granted, or denied for quota, budget or plan. <c>Replayed</c> when an idempotency key returned it.</summary>
    public sealed record Decided(
        EntitlementDecision Decision, string? ReservationId = null, DateTimeOffset? ExpiresAt = null, bool Replayed = false) : UsageOutcome;

    public sealed record CustomerNotFound : UsageOutcome;

    /// <summary>The customer's plan counts the feature by a metric over events: it is not consumed or reserved.</summary>
    public sealed record MetricFeature(string Metric) : UsageOutcome;

    public sealed record ReservationNotFound : UsageOutcome;

    /// <summary>The reservation was already settled in a way this request contradicts.</summary>
    public sealed record ReservationConflict(string Status, string Detail) : UsageOutcome;

    /// <summary>The node holds as many operations as it may; nothing was written. Retry after <paramref name="RetryAfter"/>.</summary>
    public sealed record Overloaded(TimeSpan RetryAfter) : UsageOutcome;

    /// <summary>The idempotency key was used before for a different request.</summary>
    public sealed record IdempotencyMismatch : UsageOutcome;
}

public sealed record ConsumeCommand(string CustomerId, string FeatureCode, long Amount, string? IdempotencyKey, string? MetadataJson = null);

public sealed record ReserveCommand(string CustomerId, string FeatureCode, long Amount, TimeSpan Ttl, string? IdempotencyKey, string? MetadataJson = null);

/// <summary>One after-the-fact usage event, already checked for shape.</summary>
public sealed record TrackedEvent(
    int Index, string Id, string CustomerId, string FeatureCode, long Amount, DateTimeOffset Timestamp, string? PropertiesJson, string? MetadataJson = null)
    : ITrackedEvent;

public sealed record TrackResult(int Accepted, IReadOnlyList<string> Duplicates, IReadOnlyList<(int Index, string? Id, string Reason)> Rejected)
{
    /// <summary>Events dated in a window closed longer ago than LateDays, with the instant it closed; any of them means nothing was written.</summary>
    public IReadOnlyList<(int Index, DateTimeOffset ClosedAt)> TooLate { get; init; } = [];
}
