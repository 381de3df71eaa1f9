using System.Data.Common;
using System.Text.Json;
using Dapper;
using Tollgate.Core;
using Tollgate.Core.Json;
using Tollgate.Server.Email;

namespace Tollgate.Server.Webhooks;

/// <summary>The outbound event types, and which are known.</summary>
public static class WebhookEventTypes
{
    public const string ThresholdCrossed = "usage.threshold_crossed";
    public const string ProjectedExhaustion = "usage.projected_exhaustion";
    public const string QuotaExceeded = "quota.exceeded";
    public const string BudgetThresholdCrossed = "budget.threshold_crossed";
    public const string CustomerCreated = "customer.created";
    public const string CustomerDeleted = "customer.deleted";
    public const string SubscriptionCreated = "subscription.created";
    public const string SubscriptionUpdated = "subscription.updated";
    public const string SubscriptionCanceled = "subscription.canceled";
    public const string SubscriptionTrialWillEnd = "subscription.trial_will_end";
    public const string InvoiceCreated = "invoice.created";
    public const string InvoicePaid = "invoice.paid";
    public const string InvoicePaymentFailed = "invoice.payment_failed";
    public const string InvoiceVoided = "invoice.voided";
    public const string InvoiceUncollectible = "invoice.marked_uncollectible";
    public const string CreditNoteCreated = "credit_note.created";
    public const string CreditNoteVoided = "credit_note.voided";

    public static readonly IReadOnlyList<string> All =
    [
        ThresholdCrossed, ProjectedExhaustion, QuotaExceeded, BudgetThresholdCrossed, CustomerCreated, SubscriptionCreated, SubscriptionUpdated, SubscriptionCanceled,
        SubscriptionTrialWillEnd, InvoiceCreated, InvoicePaid, InvoicePaymentFailed, InvoiceVoided, InvoiceUncollectible,
        CustomerDeleted, CreditNoteCreated, CreditNoteVoided,
    ];
}

/// <summary>
/// The transactional outbox: an event and one delivery per subscribed endpoint are written in the caller's
/// transaction, so an event exists exactly when the change it reports was committed. A dispatcher sends them later.
/// </summary>
public static class WebhookOutbox
{
    /// <summary>Payloads are the API's wire format: snake_case, instants in UTC with a Z.</summary>
    public static readonly JsonSerializerOptions Json = WireJson.Options;

    /// <summary>Writes the event for every enabled endpoint that takes <paramref name="type"/> (nothing when none does), and its e-mail.</summary>
    public static async Task<string?> EnqueueAsync(
        DbConnection c, DbTransaction? tx, string type, object data, DateTimeOffset at, TimeProvider time, CancellationToken cancellationToken)
    {
        // The customer's e-mail for this event, if any, is part of the same outbox and the same transaction.
        await EmailOutbox.EnqueueAsync(c, tx, type, data, at, time, cancellationToken);
        var endpoints = (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM webhook_endpoints WHERE enabled = @enabled AND deleted_at IS NULL AND (event_types = '*' OR event_types LIKE @pattern) ORDER BY id",
            new { enabled = true, pattern = $"%,{type},%" }, tx, cancellationToken: cancellationToken))).ToList();
        if (endpoints.Count == 0)
        {
            return null;
        }

        var id = Ids.New("evt", time);
        var payload = JsonSerializer.Serialize(new WebhookEnvelope(id, type, at, data), Json);
        var now = at.ToUnixTimeMilliseconds();
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO webhook_events (id, type, payload_json, created_at) VALUES (@id, @type, @payload, @now)",
            new { id, type, payload, now }, tx, cancellationToken: cancellationToken));
        foreach (var endpoint in endpoints)
        {
            // Due now, and its 24 hours counted from now: `at` is the change's own time, which a catch-up (renewals after
            // downtime) can put days in the past.
            await InsertDeliveryAsync(c, tx, Ids.New("whd", time), id, endpoint, time.GetUtcNow(), cancellationToken);
        }

        return id;
    }

    internal static Task InsertDeliveryAsync(
        DbConnection c, DbTransaction? tx, string id, string eventId, string endpointId, DateTimeOffset at, CancellationToken cancellationToken) =>
        c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, attempts, next_attempt_at, created_at)
            VALUES (@id, @eventId, @endpointId, 'pending', 0, @now, @now)
            """, new { id, eventId, endpointId, now = at.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));

    private sealed record WebhookEnvelope(string Id, string Type, DateTimeOffset CreatedAt, object Data);
}
