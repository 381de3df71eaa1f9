using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tollgate.Contracts;

/// <summary>Asks whether a customer may use a feature, counting nothing.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Feature">The feature's code.</param>
/// <param name="Amount">Units the customer wants to use; a feature counted by a metric is allowed while its used is below the limit.</param>
/// <param name="Value">
/// For a feature counted by a unique_count metric: the value about to be used (such as a user id); one already counted in
/// the window is allowed even at the limit.
/// </param>
public sealed record CheckRequest(string Customer, string Feature, long Amount = 1, JsonElement? Value = null);

/// <summary>Uses units of a feature if the plan allows it, atomically.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Feature">The feature's code.</param>
/// <param name="Amount">Units to use, 1 to 1,000,000,000.</param>
/// <param name="IdempotencyKey">A retry with the same key returns the first answer and counts nothing.</param>
/// <param name="Metadata">Up to 20 string pairs (4096 UTF-8 bytes of keys and values) kept with the usage record; see GET /v1/events.</param>
public sealed record ConsumeRequest(
    string Customer, string Feature, long Amount = 1, string? IdempotencyKey = null, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>Holds units before work whose real size is known only after it.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Feature">The feature's code.</param>
/// <param name="Amount">Units to hold.</param>
/// <param name="TtlSeconds">How long the hold lasts before it is released on its own (1 s to 24 h).</param>
/// <param name="IdempotencyKey">A retry with the same key returns the first reservation.</param>
/// <param name="Metadata">Up to 20 string pairs (4096 UTF-8 bytes of keys and values), kept with the usage record its commit writes.</param>
public sealed record ReserveRequest(
    string Customer, string Feature, long Amount = 1, int TtlSeconds = 300, string? IdempotencyKey = null,
    IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>Settles a reservation to what was really used.</summary>
/// <param name="Amount">Units actually used; more than was held must fit the quota again.</param>
public sealed record CommitReservationRequest(long Amount);

/// <summary>The decision on one feature and the counter behind it.</summary>
/// <param name="Allowed">Whether the customer may (or did) use the amount.</param>
/// <param name="Reason">
/// Allowed: within_quota, unlimited, soft_cap_overage, credit_grant, included (a boolean feature) or value (a value feature).
/// Refused: quota_exceeded, rate_limited, budget_exceeded or feature_not_in_plan.
/// </param>
/// <param name="Feature">The feature's code.</param>
/// <param name="Plan">The customer's plan, if any.</param>
/// <param name="Limit">The quota window's limit (rollover included; see the plan feature's reset); null when unlimited.</param>
/// <param name="Used">Units used in the quota's window.</param>
/// <param name="Remaining">Units left in the quota's window; null when unlimited.</param>
/// <param name="Unlimited">Whether the quota is unlimited.</param>
/// <param name="ResetsAt">When the quota's window ends and the counter starts again; null for a lifetime allowance (reset: never), a gate or a value.</param>
/// <param name="HardCap">Whether use past the limit is refused.</param>
/// <param name="Overage">Units used past the limit under a soft cap.</param>
/// <param name="Reserved">Units held by open reservations.</param>
/// <param name="Value">For value features, the plan's setting.</param>
/// <param name="WindowStart">When the quota's window (its own reset, not the billing period) started; null for a gate or a value.</param>
/// <param name="Customer">The customer whose quota was used: the organisation when a member was named.</param>
/// <param name="Member">The member named in the call, or null when the call named the customer.</param>
/// <param name="GrantedRemaining">What the customer's credit grants for the feature have left; null where not consulted.</param>
public sealed record EntitlementResponse(
    bool Allowed,
    string Reason,
    string Feature,
    string? Plan,
    long? Limit,
    long Used,
    long? Remaining,
    bool Unlimited,
    DateTimeOffset? ResetsAt,
    bool HardCap,
    long Overage,
    long Reserved,
    JsonElement? Value,
    DateTimeOffset? WindowStart = null,
    string? Customer = null,
    string? Member = null,
    long? GrantedRemaining = null);

/// <summary>A granted hold on units of a feature.</summary>
/// <param name="Id">The reservation's id, for commit or release; null when nothing needed holding (a boolean feature).</param>
/// <param name="ExpiresAt">When the hold is released on its own if not settled.</param>
/// <param name="Entitlement">The decision, with the held units counted in <c>reserved</c>.</param>
public sealed record ReservationResponse(string? Id, DateTimeOffset? ExpiresAt, EntitlementResponse Entitlement);

/// <summary>A batch of after-the-fact usage events (at most 1000).</summary>
/// <param name="Events">Each: id, customer, feature, amount, timestamp, properties.</param>
public sealed record TrackRequest(IReadOnlyList<JsonElement> Events);

/// <summary>A batch of usage events as the SDK sends it, and as the OpenAPI document describes POST /v1/events.</summary>
/// <param name="Events">The events, at most 1000.</param>
public sealed record UsageEventBatch(IReadOnlyList<UsageEvent> Events);

/// <summary>One usage event, as the SDK sends it.</summary>
/// <param name="Id">The sender's unique id; a resent id counts once.</param>
/// <param name="Customer">The customer's id.</param>
/// <param name="Feature">A metered feature's code.</param>
/// <param name="Amount">Units used.</param>
/// <param name="Timestamp">When it happened; within the current period and 35 days.</param>
/// <param name="Properties">Anything else to keep with it.</param>
/// <param name="Metadata">Up to 20 string pairs (4096 UTF-8 bytes of keys and values), as on consume.</param>
public sealed record UsageEvent(string Id, string Customer, string Feature, long Amount, DateTimeOffset Timestamp,
    IReadOnlyDictionary<string, JsonElement>? Properties = null, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>A batch of events with properties (at most 1000), which the catalog's billable metrics read.</summary>
/// <param name="Events">The events; one malformed event fails the whole request, naming its path, and writes nothing.</param>
public sealed record PropertyEventBatch(IReadOnlyList<PropertyEvent> Events);

/// <summary>One event with properties: each metric of the catalog that reads <paramref name="Event"/> folds it in.</summary>
/// <param name="Id">The sender's unique id; a resent id counts once.</param>
/// <param name="Customer">The customer's id.</param>
/// <param name="Event">The event's name, 1 to 64 characters.</param>
/// <param name="Properties">
/// A flat object: at most 32 keys of at most 64 characters, each a string (at most 256 characters), a number or a boolean;
/// a property a sum, max or latest metric reads is a whole number from 0 to 10^12.
/// </param>
/// <param name="Timestamp">When it happened (now when absent); within the current window of the features counting it.</param>
public sealed record PropertyEvent(
    string Id, string Customer, string Event, IReadOnlyDictionary<string, JsonElement>? Properties = null, DateTimeOffset? Timestamp = null);

/// <summary>What became of a batch of events.</summary>
/// <param name="Accepted">Events counted.</param>
/// <param name="Duplicates">Ids already counted before.</param>
/// <param name="Rejected">Events refused, each with its index and reason.</param>
public sealed record TrackResponse(int Accepted, IReadOnlyList<string> Duplicates, IReadOnlyList<RejectedEvent> Rejected);

/// <summary>An event that was not counted.</summary>
/// <param name="Index">Its position in the batch.</param>
/// <param name="Id">Its id, when it had one.</param>
/// <param name="Reason">Why, naming the field.</param>
public sealed record RejectedEvent(int Index, string? Id, string Reason);

/// <summary>A customer's usage in the current period (the resume tailor's /me/usage, extended).</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Plan">The customer's plan.</param>
/// <param name="PeriodStart">Start of the period.</param>
/// <param name="PeriodEnd">End of the period (exclusive).</param>
/// <param name="Features">Each metered feature by code.</param>
public sealed record UsageResponse(
    string Customer, string? Plan, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, IReadOnlyDictionary<string, FeatureUsage> Features);

/// <summary>One metered feature's counter.</summary>
/// <param name="Limit">The period's limit; null when unlimited.</param>
/// <param name="Used">Units used.</param>
/// <param name="Remaining">Units left; null when unlimited.</param>
/// <param name="Unlimited">Whether the quota is unlimited.</param>
/// <param name="HardCap">Whether use past the limit is refused.</param>
/// <param name="Overage">Units past the limit under a soft cap.</param>
/// <param name="Reserved">Units held by open reservations.</param>
/// <param name="WindowStart">Where the quota's window (its own reset, not the billing period) started.</param>
/// <param name="ResetsAt">When the window ends; null for a lifetime allowance.</param>
/// <param name="GrantedRemaining">What the customer's credit grants for the feature have left; null where not consulted.</param>
/// <param name="Groups">
/// For a feature counted by a metric with group_by: used per group of property values; left out for any other feature, so
/// their usage reads as before.
/// </param>
public sealed record FeatureUsage(
    long? Limit, long Used, long? Remaining, bool Unlimited, bool HardCap, long Overage, long Reserved, DateTimeOffset? WindowStart = null,
    DateTimeOffset? ResetsAt = null, long? GrantedRemaining = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<MetricGroupUsage>? Groups = null);

/// <summary>A metric's value for one group of property values in the window.</summary>
/// <param name="Group">The group_by properties and their values, such as {"model": "gpt-4o"} (null where events lacked one).</param>
/// <param name="Used">The metric over the group's events.</param>
public sealed record MetricGroupUsage(JsonElement Group, long Used);

/// <summary>Everything a customer's plan gives, feature by feature (the email assistant's "available features").</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Plan">The customer's plan.</param>
/// <param name="PeriodStart">Start of the period.</param>
/// <param name="PeriodEnd">End of the period.</param>
/// <param name="Features">One entry per catalog feature.</param>
public sealed record EntitlementsResponse(
    string Customer, string? Plan, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, IReadOnlyList<FeatureEntitlement> Features);

/// <summary>One feature's access for a customer.</summary>
/// <param name="Feature">The feature's code.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Kind">boolean, metered or value.</param>
/// <param name="Access">Whether the plan includes it (and, for metered, units remain or the cap is soft).</param>
/// <param name="Limit">Metered: the period's limit, null when unlimited.</param>
/// <param name="Used">Metered: units used.</param>
/// <param name="Remaining">Metered: units left.</param>
/// <param name="Unlimited">Metered: whether the quota is unlimited.</param>
/// <param name="Value">Value features: the plan's setting.</param>
/// <param name="WindowStart">Metered: where the quota's window started.</param>
/// <param name="ResetsAt">Metered: when the window ends; null for a lifetime allowance.</param>
/// <param name="GrantedRemaining">What the customer's credit grants for the feature have left; null where not consulted.</param>
public sealed record FeatureEntitlement(
    string Feature, string Name, string Kind, bool Access, long? Limit, long? Used, long? Remaining, bool Unlimited, JsonElement? Value,
    DateTimeOffset? WindowStart = null, DateTimeOffset? ResetsAt = null, long? GrantedRemaining = null);
