using System.Data.Common;
using System.Text.Json;
using Dapper;
using Tollgate.Core;

namespace Tollgate.Server.Email;

/// <summary>
/// Writes a customer's e-mail for an outbox event in the caller's transaction, beside the webhook deliveries: one
/// statement that finds the recipient, honours the catalog's notify.email, and does nothing when this event already
/// queued a message to that address.
/// </summary>
public static class EmailOutbox
{
    private const string Insert = """
        INSERT INTO email_messages (id, idempotency_key, kind, event_type, customer_id, recipient, object_id, payload_json, status, attempts,
            queued_at, next_attempt_at, created_at)
        SELECT @id, @key, @kind, @type, c.id, c.email, @objectId, @payload, 'pending', 0, @now, @now, @now
        FROM customers c JOIN catalog_settings s ON s.id = 1
        WHERE c.id = @customer AND c.email IS NOT NULL AND c.email <> '' AND (s.notify_email IS NULL OR s.notify_email LIKE @pattern)
        ON CONFLICT (idempotency_key, recipient) DO NOTHING
        """;

    /// <summary>Queues the e-mail <paramref name="type"/> sends, if any; true when a message was written.</summary>
    public static async Task<bool> EnqueueAsync(
        DbConnection c, DbTransaction? tx, string type, object data, DateTimeOffset at, TimeProvider time, CancellationToken cancellationToken)
    {
        if (EmailKinds.ForEvent(type) is not { } kind)
        {
            return false;
        }

        var element = JsonSerializer.SerializeToElement(data, Core.Json.WireJson.Options);
        var customer = EmailKinds.Text(element, "customer");
        if (customer.Length == 0)
        {
            return false;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return await c.ExecuteAsync(new CommandDefinition(Insert, new
        {
            id = Ids.New("eml", time), key = EmailKinds.IdempotencyKey(kind, element, at), kind, type, objectId = EmailKinds.Text(element, "id"),
            payload = element.GetRawText(), now, customer, pattern = $"%,{kind},%",
        }, tx, cancellationToken: cancellationToken)) == 1;
    }
}
