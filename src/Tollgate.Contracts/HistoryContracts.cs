using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tollgate.Contracts;

/// <summary>A customer's usage over time, per feature, from the daily rollup. Every period in the range is present; one without use is 0.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Granularity">day or month.</param>
/// <param name="From">The first day of the range (UTC).</param>
/// <param name="To">The last day of the range, included.</param>
/// <param name="Features">Per feature code, one point per day or month, oldest first.</param>
public sealed record UsageHistoryResponse(
    string Customer, string Granularity, DateOnly From, DateOnly To, IReadOnlyDictionary<string, IReadOnlyList<UsagePoint>> Features);

/// <summary>Units used in one period.</summary>
/// <param name="Period">The period's first day: the day, or the first of the month.</param>
/// <param name="Quantity">Units used.</param>
public sealed record UsagePoint(DateOnly Period, long Quantity);

/// <summary>Units used per feature and day across all customers. Every day in the range is present; one without use is 0.</summary>
/// <param name="From">The first day (UTC).</param>
/// <param name="To">The last day, included.</param>
/// <param name="Features">Per feature code, one point per day, oldest first.</param>
public sealed record DailyUsageResponse(DateOnly From, DateOnly To, IReadOnlyDictionary<string, IReadOnlyList<DailyUsagePoint>> Features);

/// <summary>One day's use of a feature across customers.</summary>
/// <param name="Day">The UTC day.</param>
/// <param name="Quantity">Units used.</param>
/// <param name="Customers">How many customers used it.</param>
public sealed record DailyUsagePoint(DateOnly Day, long Quantity, long Customers);

/// <summary>One logged model call, as priced when it was logged.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="RequestId">The provider's id for the call.</param>
/// <param name="Feature">The feature it was for.</param>
/// <param name="Model">The model.</param>
/// <param name="Provider">The provider.</param>
/// <param name="PriceId">The price row it was priced at; null when unpriced.</param>
/// <param name="Tokens">The tokens it used, by kind.</param>
/// <param name="Requests">Priced requests (such as web searches).</param>
/// <param name="Images">Images generated.</param>
/// <param name="CostUsd">Its cost in US dollars.</param>
/// <param name="CostNanoUsd">Its cost in nano-dollars (1e-9 USD), exact.</param>
/// <param name="Unpriced">True when no price covered the model at the time.</param>
/// <param name="Plan">The customer's plan when it was logged.</param>
/// <param name="PlanVersionId">That plan's version.</param>
/// <param name="OccurredAt">When the call was made.</param>
/// <param name="ReceivedAt">When Tollgate logged it.</param>
/// <param name="Metadata">What the sender kept with the call.</param>
/// <param name="Member">The member who logged it (the call named the member's id); null when it named the customer itself.</param>
public sealed record LlmCallRecordResponse(
    string Customer, string RequestId, string? Feature, string Model, string? Provider, string? PriceId, LlmTokens Tokens, long Requests, long Images,
    decimal CostUsd, long CostNanoUsd, bool Unpriced, string? Plan, string? PlanVersionId, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, JsonElement>? Metadata, string? Member = null);

/// <summary>Tokens of one call, by kind.</summary>
/// <param name="Input">Input tokens, cached ones excluded.</param>
/// <param name="Output">Output tokens.</param>
/// <param name="CachedInput">Input tokens read from the cache.</param>
/// <param name="CacheWrite">Tokens written to the cache.</param>
/// <param name="Reasoning">Reasoning tokens.</param>
/// <param name="CacheWrite1h">How many of the cache writes were kept for an hour.</param>
public sealed record LlmTokens(long Input, long Output, long CachedInput, long CacheWrite, long Reasoning,
    [property: JsonPropertyName("cache_write_1h")] long CacheWrite1h = 0);

/// <summary>One recorded usage event.</summary>
/// <param name="Id">The sender's event id.</param>
/// <param name="Customer">The customer's id.</param>
/// <param name="Feature">The feature's code.</param>
/// <param name="Amount">Units it counted.</param>
/// <param name="Timestamp">When it occurred.</param>
/// <param name="ReceivedAt">When Tollgate recorded it.</param>
/// <param name="Properties">The properties it was sent with.</param>
/// <param name="Metadata">The string pairs it was sent with.</param>
/// <param name="Source">"event" (POST /v1/events), "consume" or "reservation" (a commit); consumes and commits appear only when they carried metadata.</param>
/// <param name="Member">The member who sent it (the call named the member's id); null when it named the customer itself.</param>
public sealed record RecordedEventResponse(
    string Id, string Customer, string Feature, long Amount, DateTimeOffset Timestamp, DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, JsonElement>? Properties, IReadOnlyDictionary<string, string>? Metadata = null, string Source = "event",
    string? Member = null);

/// <summary>Filters of <c>GET /v1/llm/calls</c>; each is optional, but a secret key must name the customer or the member.</summary>
/// <param name="Customer">One customer's calls.</param>
/// <param name="Feature">A feature's code.</param>
/// <param name="Model">A model.</param>
/// <param name="Provider">A provider.</param>
/// <param name="From">Made at or after.</param>
/// <param name="To">Made before.</param>
/// <param name="Member">One member's calls (those logged with the member's id).</param>
public sealed record LlmCallQuery(
    string? Customer = null, string? Feature = null, string? Model = null, string? Provider = null, DateTimeOffset? From = null, DateTimeOffset? To = null,
    string? Member = null);

/// <summary>Filters of <c>GET /v1/events</c>; each is optional, but a secret key must name the customer or the member.</summary>
/// <param name="Customer">One customer's events.</param>
/// <param name="Feature">A feature's code.</param>
/// <param name="From">Occurred at or after.</param>
/// <param name="To">Occurred before.</param>
/// <param name="Member">One member's events (those sent with the member's id).</param>
public sealed record EventQuery(
    string? Customer = null, string? Feature = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Member = null);
