using System.Text.Json;
using Dapper;
using Tollgate.Core;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Webhooks;

/// <summary>
/// A <c>webhook.test</c> event for one endpoint, whatever event types it takes: written to the outbox like any event,
/// so the dispatcher signs it with the endpoint's scheme and it shows in the delivery log. No e-mail goes with it.
/// </summary>
public static class WebhookTestEvents
{
    public const string Type = "webhook.test";

    /// <summary>The new delivery's id; null with <c>EndpointDisabled</c> false when there is no such endpoint, true when it is disabled.</summary>
    public static Task<(string? DeliveryId, bool EndpointDisabled)> EnqueueAsync(
        TollgateDatabase database, string endpointId, TimeProvider time, CancellationToken cancellationToken = default) =>
        database.WriteAsync<(string?, bool)>(async (c, tx) =>
        {
            var enabled = await c.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(
                "SELECT enabled FROM webhook_endpoints WHERE id = @endpointId AND deleted_at IS NULL", new { endpointId }, tx,
                cancellationToken: cancellationToken));
            if (enabled is not true)
            {
                return (null, enabled is false);
            }

            var now = time.GetUtcNow();
            var eventId = Ids.New("evt", time);
            var data = new { Endpoint = endpointId, Message = "A test event sent from Tollgate. Nothing changed." };
            var payload = JsonSerializer.Serialize(new { Id = eventId, Type, CreatedAt = now, Data = data }, WebhookOutbox.Json);
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO webhook_events (id, type, payload_json, created_at) VALUES (@eventId, @Type, @payload, @at)",
                new { eventId, Type, payload, at = now.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
            var deliveryId = Ids.New("whd", time);
            await WebhookOutbox.InsertDeliveryAsync(c, tx, deliveryId, eventId, endpointId, now, cancellationToken);
            return (deliveryId, false);
        }, cancellationToken);
}
