using Tollgate.Contracts;

namespace Tollgate.Client;

/// <summary>Usage counters, usage over time, and daily totals: <c>usage.get/history/daily</c> in the other SDKs.</summary>
public sealed class UsageResource(TollgateClient client)
{
    /// <summary>The counters of the window holding <paramref name="at"/> (now when null).</summary>
    public Task<UsageResponse> GetAsync(string customer, DateTimeOffset? at = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<UsageResponse>(HttpMethod.Get, TollgatePaging.Path($"v1/customers/{TollgateClient.Segment(customer)}/usage", ("at", at)), null,
            cancellationToken);

    /// <summary>Units per day (or month) per feature from the daily rollup; every period is present, 0 when unused.</summary>
    public Task<UsageHistoryResponse> HistoryAsync(
        string customer, string? feature = null, DateOnly? from = null, DateOnly? to = null, string? granularity = null,
        CancellationToken cancellationToken = default) =>
        client.SendAsync<UsageHistoryResponse>(HttpMethod.Get, TollgatePaging.Path($"v1/customers/{TollgateClient.Segment(customer)}/usage/history",
            ("feature", feature), ("from", from), ("to", to), ("granularity", granularity)), null, cancellationToken);

    /// <summary>Units and customers per feature and day across every customer (admin key).</summary>
    public Task<DailyUsageResponse> DailyAsync(
        string? feature = null, DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<DailyUsageResponse>(HttpMethod.Get, TollgatePaging.Path("v1/admin/usage/daily", ("feature", feature), ("from", from), ("to", to)),
            null, cancellationToken);
}

/// <summary>Recorded usage events, newest first; a secret key must name the customer or the member.</summary>
public sealed class EventsResource(TollgateClient client)
{
    /// <summary>One page of events.</summary>
    public Task<ListResponse<RecordedEventResponse>> ListAsync(
        EventQuery query, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<RecordedEventResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/events", ("customer", query.Customer),
            ("feature", query.Feature), ("from", query.From), ("to", query.To), ("member", query.Member), ("limit", limit), ("cursor", cursor)), null,
            cancellationToken);

    /// <summary>Every event that matches, page after page.</summary>
    public IAsyncEnumerable<RecordedEventResponse> ListAllAsync(EventQuery query, CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(query, TollgatePaging.MaxLimit, cursor, ct), cancellationToken);

    /// <summary>
    /// Sends one event with properties (<c>events.track</c> in the other SDKs): each billable metric of the catalog that
    /// reads <paramref name="event"/> folds it in. Without <paramref name="id"/> one is made, so a retried call counts once.
    /// </summary>
    /// <param name="customer">The customer's id.</param>
    /// <param name="event">The event's name, such as <c>llm_call</c>.</param>
    /// <param name="properties">At most 32 strings, numbers and booleans, such as <c>{"model": "gpt-4o", "tokens": 1500}</c>.</param>
    /// <param name="id">The event's unique id.</param>
    /// <param name="timestamp">When it happened; now when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TrackResponse> TrackAsync(
        string customer, string @event, IReadOnlyDictionary<string, object>? properties = null, string? id = null, DateTimeOffset? timestamp = null,
        CancellationToken cancellationToken = default) =>
        TrackAsync([Event(customer, @event, properties, id, timestamp)], cancellationToken);

    /// <summary>Sends a batch of events with properties (at most 1000); one malformed event fails the whole call and writes nothing.</summary>
    public Task<TrackResponse> TrackAsync(IEnumerable<PropertyEvent> events, CancellationToken cancellationToken = default) =>
        client.SendAsync<TrackResponse>(HttpMethod.Post, "v1/events", new PropertyEventBatch([.. events]), cancellationToken);

    /// <summary>An event for the batch form, with an id made when none is given.</summary>
    public static PropertyEvent Event(
        string customer, string @event, IReadOnlyDictionary<string, object>? properties = null, string? id = null, DateTimeOffset? timestamp = null) =>
        new(id ?? $"evt_{Guid.NewGuid():N}", customer, @event,
            properties?.ToDictionary(p => p.Key, p => System.Text.Json.JsonSerializer.SerializeToElement(p.Value, TollgateClient.Json), StringComparer.Ordinal),
            timestamp);
}

/// <summary>Logged LLM calls as priced, newest first; a secret key must name the customer or the member.</summary>
public sealed class LlmResource(TollgateClient client)
{
    /// <summary>One page of calls.</summary>
    public Task<ListResponse<LlmCallRecordResponse>> ListCallsAsync(
        LlmCallQuery query, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<LlmCallRecordResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/llm/calls", ("customer", query.Customer),
            ("feature", query.Feature), ("model", query.Model), ("provider", query.Provider), ("from", query.From), ("to", query.To),
            ("member", query.Member), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Every call that matches, page after page.</summary>
    public IAsyncEnumerable<LlmCallRecordResponse> ListAllCallsAsync(LlmCallQuery query, CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListCallsAsync(query, TollgatePaging.MaxLimit, cursor, ct), cancellationToken);
}
