using Dapper;
using Tollgate.Core;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Webhooks;

/// <summary>
/// An app's webhook endpoint. <see cref="EventTypes"/> empty means every type. <see cref="SignatureScheme"/> is
/// <c>tollgate</c> (Tollgate-Signature, as Stripe signs) or <c>standard</c> (Standard Webhooks).
/// </summary>
public sealed record WebhookEndpoint(
    string Id, string Url, string? Description, string Secret, IReadOnlyList<string> EventTypes, bool Enabled, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, string SignatureScheme = WebhookSchemes.Tollgate, DateTimeOffset? PreviousSecretExpiresAt = null);

/// <summary>One event's delivery to one endpoint, with its retry state.</summary>
public sealed record WebhookDelivery(
    string Id, string EventId, string EventType, string EndpointId, string Url, string Status, int Attempts, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt, int? LastStatus, string? LastError, DateTimeOffset? SucceededAt, DateTimeOffset CreatedAt);

/// <summary>One try at a delivery.</summary>
public sealed record WebhookAttempt(int Attempt, DateTimeOffset At, int? StatusCode, string? Error, long DurationMs);

/// <summary>A delivery claimed for sending, with what is sent.</summary>
public sealed record ClaimedDelivery(string Id, string EventId, string EventType, string EndpointId, string Url, string Secret, string Payload,
    int Attempts, DateTimeOffset FirstQueuedAt, string SignatureScheme = WebhookSchemes.Tollgate, string? PreviousSecret = null);

/// <summary>Endpoints, the delivery log, and the claim/settle steps of the dispatcher.</summary>
public sealed class WebhookStore(TollgateDatabase database, TimeProvider time)
{
    /// <summary>Deliveries waiting to be made, due now or retrying later, for the backlog gauge.</summary>
    public Task<OutboxBacklog> BacklogAsync(CancellationToken cancellationToken) =>
        OutboxBacklog.ReadAsync(database, "webhook_deliveries", cancellationToken);

    /// <summary>How long a claimed delivery is reserved for its sender at least; the dispatcher asks for more when sends may take longer.</summary>
    public static readonly TimeSpan MinimumLease = TimeSpan.FromMinutes(2);

    /// <summary>Registers an endpoint; its signing secret is <paramref name="secret"/>, or a new random one in the scheme's format.</summary>
    public Task<WebhookEndpoint> CreateEndpointAsync(string url, string? description, IReadOnlyList<string> eventTypes,
        CancellationToken cancellationToken, string? secret = null, string signatureScheme = WebhookSchemes.Tollgate) =>
        database.WriteAsync(async (c, tx) =>
        {
            var now = time.GetUtcNow();
            var endpoint = new WebhookEndpoint(Ids.New("we", time), url, description, secret ?? WebhookSchemes.NewSecret(signatureScheme), eventTypes, true,
                now, now, signatureScheme);
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO webhook_endpoints (id, url, description, secret, event_types, enabled, created_at, updated_at, signature_scheme)
                VALUES (@Id, @Url, @Description, @Secret, @types, @Enabled, @now, @now, @SignatureScheme)
                """, new { endpoint.Id, endpoint.Url, endpoint.Description, endpoint.Secret, types = EndpointRow.Types(eventTypes), endpoint.Enabled,
                now = now.ToUnixTimeMilliseconds(), endpoint.SignatureScheme }, tx, cancellationToken: cancellationToken));
            return endpoint;
        }, cancellationToken);

    public Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<WebhookEndpoint>>(async c => [.. (await c.QueryAsync<EndpointRow>(new CommandDefinition(
            $"SELECT {EndpointRow.Columns} FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY created_at, id", cancellationToken: cancellationToken)))
            .Select(r => r.ToDomain())], cancellationToken);

    public Task<WebhookEndpoint?> GetEndpointAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<EndpointRow>(new CommandDefinition(
            $"SELECT {EndpointRow.Columns} FROM webhook_endpoints WHERE id = @id AND deleted_at IS NULL", new { id }, cancellationToken: cancellationToken)))?.ToDomain(),
            cancellationToken);

    /// <summary>Turns the endpoint off and cancels what it has pending; its log stays. False when there is no such endpoint.</summary>
    public Task<bool> DisableEndpointAsync(string id, CancellationToken cancellationToken) => StopEndpointAsync(id, delete: false, cancellationToken);

    /// <summary>Removes the endpoint from the list, off for good, its pending deliveries canceled; its delivery log stays.</summary>
    public Task<bool> DeleteEndpointAsync(string id, CancellationToken cancellationToken) => StopEndpointAsync(id, delete: true, cancellationToken);

    /// <summary>Turns a disabled endpoint back on: new events reach it again (what was canceled stays canceled; replay it).</summary>
    public Task<bool> EnableEndpointAsync(string id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_endpoints SET enabled = @enabled, updated_at = @now WHERE id = @id AND deleted_at IS NULL",
            new { id, enabled = true, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken)) == 1, cancellationToken);

    private Task<bool> StopEndpointAsync(string id, bool delete, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var changed = await c.ExecuteAsync(new CommandDefinition($"""
                UPDATE webhook_endpoints SET enabled = @enabled, updated_at = @now{(delete ? ", deleted_at = @now" : "")}
                WHERE id = @id AND deleted_at IS NULL
                """, new { id, enabled = false, now }, tx, cancellationToken: cancellationToken));
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE webhook_deliveries SET status = 'canceled', next_attempt_at = NULL WHERE endpoint_id = @id AND status = 'pending'",
                new { id }, tx, cancellationToken: cancellationToken));
            return changed == 1;
        }, cancellationToken);

    /// <summary>Deliveries newest first, a page at a time (keyset on created_at, id), optionally of one endpoint or status.</summary>
    public Task<Page<WebhookDelivery>> ListDeliveriesAsync(string? endpointId, string? status, PageRequest page, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(new { endpointId, status });
        Keyset.Bind(parameters, page);
        return database.ReadAsync(async c => Keyset.Cut((await c.QueryAsync<DeliveryRow>(new CommandDefinition($"""
            SELECT {DeliveryRow.Columns} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
                JOIN webhook_endpoints w ON w.id = d.endpoint_id
            WHERE {Keyset.After(page, "d.created_at", "d.id", descending: true)}
                {(endpointId is null ? "" : "AND d.endpoint_id = @endpointId")} {(status is null ? "" : "AND d.status = @status")}
            {Keyset.OrderBy("d.created_at", "d.id", descending: true)} LIMIT @page_limit
            """, parameters, cancellationToken: cancellationToken))).ToList(), page, r => new Cursor(r.CreatedAt, r.Id)).Select(r => r.ToDomain()),
            cancellationToken);
    }

    /// <summary>A delivery with its attempts and the payload it sends.</summary>
    public Task<(WebhookDelivery Delivery, string Payload, IReadOnlyList<WebhookAttempt> Attempts)?> GetDeliveryAsync(
        string id, CancellationToken cancellationToken) =>
        database.ReadAsync<(WebhookDelivery, string, IReadOnlyList<WebhookAttempt>)?>(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition($"""
                SELECT {DeliveryRow.Columns}, e.payload_json FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
                    JOIN webhook_endpoints w ON w.id = d.endpoint_id
                WHERE d.id = @id
                """, new { id }, cancellationToken: cancellationToken));
            if (row is null)
            {
                return null;
            }

            var attempts = await c.QueryAsync<AttemptRow>(new CommandDefinition(
                "SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id = @id ORDER BY attempt",
                new { id }, cancellationToken: cancellationToken));
            return (row.ToDomain(), row.PayloadJson, [.. attempts.Select(a => a.ToDomain())]);
        }, cancellationToken);

    /// <summary>
    /// Queues the delivery's event again to the same endpoint, as a new delivery due now. Answers the new delivery's id;
    /// null with <c>EndpointDisabled</c> false when there is no such delivery, true when its endpoint is disabled.
    /// </summary>
    public Task<(string? Id, bool EndpointDisabled)> ReplayAsync(string deliveryId, CancellationToken cancellationToken) =>
        database.WriteAsync<(string?, bool)>(async (c, tx) =>
        {
            var original = await c.QuerySingleOrDefaultAsync<(string EventId, string EndpointId, bool Enabled)>(new CommandDefinition("""
                SELECT d.event_id, d.endpoint_id, w.enabled FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.id = @deliveryId
                """, new { deliveryId }, tx, cancellationToken: cancellationToken));
            if (original.EventId is null || !original.Enabled)
            {
                return (null, original.EventId is not null);
            }

            var id = Ids.New("whd", time);
            await WebhookOutbox.InsertDeliveryAsync(c, tx, id, original.EventId, original.EndpointId, time.GetUtcNow(), cancellationToken);
            return (id, false);
        }, cancellationToken);

    /// <summary>Whether anything is due: a read, so idle nodes do not take the write lock every poll.</summary>
    public Task<bool> HasDueAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= @now LIMIT 1",
            new { now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)) is not null, cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> due deliveries of enabled endpoints for <paramref name="lease"/>, none to the
    /// endpoints in <paramref name="skip"/> and none of the <paramref name="sending"/> deliveries (this node's sends, whose
    /// lease a test clock's jump can end mid-send). On PostgreSQL rows another node is claiming are skipped (SKIP LOCKED),
    /// so nodes share the work without sending anything twice.
    /// </summary>
    public Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(int max, TimeSpan lease, CancellationToken cancellationToken,
        IReadOnlyCollection<string>? skip = null, IReadOnlyCollection<string>? sending = null) =>
        database.WriteAsync<IReadOnlyList<ClaimedDelivery>>(async (c, tx) =>
        {
            var now = time.GetUtcNow();
            var skipLocked = database.Dialect.ForUpdateSkipLockedOf("d");
            var busy = (skip is { Count: > 0 } ? $"AND NOT ({database.Dialect.InList("d.endpoint_id", "@skip")}) " : "")
                + (sending is { Count: > 0 } ? $"AND NOT ({database.Dialect.InList("d.id", "@sending")})" : "");
            var due = (await c.QueryAsync<ClaimRow>(new CommandDefinition($"""
                SELECT d.id, d.event_id, e.type, d.endpoint_id, w.url, w.secret, e.payload_json, d.attempts, d.created_at, w.signature_scheme,
                    CASE WHEN w.previous_secret_expires_at > @now THEN w.previous_secret END AS previous_secret
                FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.id = d.endpoint_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND (d.locked_until IS NULL OR d.locked_until <= @now) AND w.enabled = @enabled
                    {busy}
                ORDER BY d.next_attempt_at, d.id LIMIT @max {skipLocked}
                """, new { now = now.ToUnixTimeMilliseconds(), max = (long)max, enabled = true, skip = skip?.ToArray(), sending = sending?.ToArray() }, tx, cancellationToken: cancellationToken))).ToList();
            foreach (var row in due)
            {
                await c.ExecuteAsync(new CommandDefinition("UPDATE webhook_deliveries SET locked_until = @until WHERE id = @Id",
                    new { until = (now + lease).ToUnixTimeMilliseconds(), row.Id }, tx, cancellationToken: cancellationToken));
            }

            return [.. due.Select(r => r.ToDomain())];
        }, cancellationToken);

    /// <summary>Lets claimed deliveries go unsent, so the next claim (this node's or another's) may take them at once.</summary>
    public Task ReleaseAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            $"UPDATE webhook_deliveries SET locked_until = NULL WHERE {database.Dialect.InList("id", "@ids")} AND status = 'pending'",
            new { ids = ids.ToArray() }, tx,
            cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>
    /// Records one attempt: success ends the delivery; a failure schedules the next try at <paramref name="retryAt"/>, or
    /// ends it as dead when that is null.
    /// </summary>
    public Task RecordAttemptAsync(ClaimedDelivery delivery, bool succeeded, int? statusCode, string? error, TimeSpan duration,
        DateTimeOffset? retryAt, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var attempt = delivery.Attempts + 1;
            var status = succeeded ? "succeeded" : retryAt is null ? "dead" : "pending";
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
                VALUES (@Id, @attempt, @now, @statusCode, @error, @duration)
                """, new { delivery.Id, attempt, now, statusCode, error, duration = (long)duration.TotalMilliseconds }, tx,
                cancellationToken: cancellationToken));
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE webhook_deliveries SET status = @status, attempts = @attempt, next_attempt_at = @next, locked_until = NULL,
                    last_attempt_at = @now, last_status = @statusCode, last_error = @error, succeeded_at = @succeededAt
                WHERE id = @Id AND status = 'pending'
                """, new
            {
                status, attempt, next = succeeded ? null : retryAt?.ToUnixTimeMilliseconds(), now, statusCode, error,
                succeededAt = succeeded ? now : (long?)null, delivery.Id,
            }, tx, cancellationToken: cancellationToken));
            return 0;
        }, cancellationToken);

    private static DateTimeOffset Instant(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private sealed class EndpointRow
    {
        public const string Columns = "id, url, description, secret, event_types, enabled, created_at, updated_at, signature_scheme, previous_secret_expires_at";

        public string Id { get; set; } = "";
        public string Url { get; set; } = "";
        public string? Description { get; set; }
        public string Secret { get; set; } = "";
        public string EventTypes { get; set; } = "";
        public bool Enabled { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public string SignatureScheme { get; set; } = WebhookSchemes.Tollgate;
        public long? PreviousSecretExpiresAt { get; set; }

        public static string Types(IReadOnlyList<string> types) => types.Count == 0 ? "*" : "," + string.Join(',', types) + ",";

        public WebhookEndpoint ToDomain() => new(Id, Url, Description, Secret,
            EventTypes == "*" ? [] : EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries), Enabled, Instant(CreatedAt), Instant(UpdatedAt),
            SignatureScheme, PreviousSecretExpiresAt is { } expires ? Instant(expires) : null);
    }

    private sealed class DeliveryRow
    {
        public const string Columns = "d.id, d.event_id, e.type AS event_type, d.endpoint_id, w.url, d.status, d.attempts, d.next_attempt_at, " +
            "d.last_attempt_at, d.last_status, d.last_error, d.succeeded_at, d.created_at";

        public string Id { get; set; } = "";
        public string EventId { get; set; } = "";
        public string EventType { get; set; } = "";
        public string EndpointId { get; set; } = "";
        public string Url { get; set; } = "";
        public string Status { get; set; } = "";
        public long Attempts { get; set; }
        public long? NextAttemptAt { get; set; }
        public long? LastAttemptAt { get; set; }
        public long? LastStatus { get; set; }
        public string? LastError { get; set; }
        public long? SucceededAt { get; set; }
        public long CreatedAt { get; set; }
        public string PayloadJson { get; set; } = "";

        public WebhookDelivery ToDomain() => new(Id, EventId, EventType, EndpointId, Url, Status, (int)Attempts,
            NextAttemptAt is { } n ? Instant(n) : null, LastAttemptAt is { } l ? Instant(l) : null, (int?)LastStatus, LastError,
            SucceededAt is { } s ? Instant(s) : null, Instant(CreatedAt));
    }

    private sealed class ClaimRow
    {
        public string Id { get; set; } = "";
        public string EventId { get; set; } = "";
        public string Type { get; set; } = "";
        public string EndpointId { get; set; } = "";
        public string Url { get; set; } = "";
        public string Secret { get; set; } = "";
        public string PayloadJson { get; set; } = "";
        public long Attempts { get; set; }
        public long CreatedAt { get; set; }
        public string SignatureScheme { get; set; } = WebhookSchemes.Tollgate;
        public string? PreviousSecret { get; set; }

        public ClaimedDelivery ToDomain() =>
            new(Id, EventId, Type, EndpointId, Url, Secret, PayloadJson, (int)Attempts, Instant(CreatedAt), SignatureScheme, PreviousSecret);
    }

    private sealed class AttemptRow
    {
        public long Attempt { get; set; }
        public long At { get; set; }
        public long? StatusCode { get; set; }
        public string? Error { get; set; }
        public long DurationMs { get; set; }

        public WebhookAttempt ToDomain() => new((int)Attempt, Instant(At), (int?)StatusCode, Error, DurationMs);
    }
}
