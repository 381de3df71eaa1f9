using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Customers;

/// <summary>What a customer deletion found: done, no such (live) customer, or a subscription that went live meanwhile.</summary>
public enum ErasureOutcome
{
    Erased,
    NotFound,
    LiveSubscription,
}

/// <summary>
/// Erases a customer's personal data in one transaction and keeps every id and amount, so invoices, revenue and LLM
/// cost stay true: the customer's and its members' rows keep their ids and dates; e-mails, names, postal address, tax ids, metadata, the Stripe link,
/// usage-event properties and metadata, reservations' metadata, LLM call metadata, cancel comments, credit notes' memos (also
/// in their credit_note webhook payloads) and the personal fields of customer.created webhook payloads go.
/// </summary>
public sealed class CustomerErasure(TollgateDatabase database, TimeProvider time, EntitlementContextCache contexts)
{
    public async Task<(ErasureOutcome Outcome, DateTimeOffset DeletedAt)> EraseAsync(string id, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var outcome = await database.WriteAsync(async (c, tx) =>
        {
            var deletedAt = await c.QuerySingleOrDefaultAsync<(string Id, long? DeletedAt)?>(new CommandDefinition(
                $"SELECT id, deleted_at FROM customers WHERE id = @id {database.Dialect.ForNoKeyUpdate}", new { id }, tx, cancellationToken: cancellationToken));
            if (deletedAt is not { DeletedAt: null })
            {
                return ErasureOutcome.NotFound;
            }

            var live = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM subscriptions WHERE customer_id = @id AND status IN ('trialing', 'active', 'past_due', 'incomplete')",
                new { id }, tx, cancellationToken: cancellationToken));
            if (live > 0)
            {
                return ErasureOutcome.LiveSubscription;
            }

            var args = new { id, now = now.ToUnixTimeMilliseconds() };
            await ExecuteAsync(c, tx, """
                UPDATE customers SET email = NULL, email_key = NULL, name = NULL, metadata_json = '{}', has_payment_method = @no, stripe_customer_id = NULL,
                    address_json = NULL, tax_ids_json = '[]', deleted_at = @now, updated_at = @now
                WHERE id = @id
                """, new { args.id, args.now, no = false }, cancellationToken);
            // Members are people too: their ids stay (usage and LLM rows name them), their e-mails and names go.
            await ExecuteAsync(c, tx, """
                UPDATE members SET email = NULL, name = NULL, updated_at = @now
                WHERE customer_id = @id AND (email IS NOT NULL OR name IS NOT NULL)
                """, args, cancellationToken);
            await ExecuteAsync(c, tx, "UPDATE llm_calls SET metadata_json = NULL WHERE customer_id = @id AND metadata_json IS NOT NULL", args,
                cancellationToken);
            await ExecuteAsync(c, tx, """
                UPDATE usage_events SET properties_json = NULL, metadata_json = NULL
                WHERE customer_id = @id AND (properties_json IS NOT NULL OR metadata_json IS NOT NULL)
                """, args, cancellationToken);
            // Properties and the distinct values unique_count kept (user ids, say) go; the rollups' numbers stay for the invoices.
            await ExecuteAsync(c, tx, "UPDATE metric_events SET properties_json = '{}' WHERE customer_id = @id AND properties_json <> '{}'", args,
                cancellationToken);
            await ExecuteAsync(c, tx, "DELETE FROM metric_distinct_values WHERE customer_id = @id", args, cancellationToken);
            await ExecuteAsync(c, tx, "UPDATE reservations SET metadata_json = NULL WHERE customer_id = @id AND metadata_json IS NOT NULL", args,
                cancellationToken);
            await ExecuteAsync(c, tx, "UPDATE subscriptions SET cancel_comment = NULL WHERE customer_id = @id AND cancel_comment IS NOT NULL", args,
                cancellationToken);
            // A credit note's memo is free text written about the customer; its number, reason and amounts stay.
            await ExecuteAsync(c, tx, "UPDATE credit_notes SET memo = NULL WHERE customer_id = @id AND memo IS NOT NULL", args, cancellationToken);
            // The e-mail log keeps that a message was sent, not to whom or what it said; one still queued is never sent.
            await ExecuteAsync(c, tx, """
                UPDATE email_messages SET recipient = 'erased:' || id, payload_json = '{}', subject = NULL, next_attempt_at = NULL,
                    last_error = CASE WHEN status = 'pending' THEN 'the customer was deleted' ELSE last_error END,
                    status = CASE WHEN status = 'pending' THEN 'skipped' ELSE status END
                WHERE customer_id = @id
                """, args, cancellationToken);
            await ScrubCustomerEventsAsync(c, tx, id, cancellationToken);
            await WebhookOutbox.EnqueueAsync(c, tx, WebhookEventTypes.CustomerDeleted, new { Id = id, Deleted = true, DeletedAt = now }, now, time,
                cancellationToken);
            return ErasureOutcome.Erased;
        }, cancellationToken);
        contexts.Invalidate(id);
        return (outcome, now);
    }

    /// <summary>True when <paramref name="id"/> belonged to a customer that was deleted.</summary>
    public Task<bool> IsDeletedAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM customers WHERE id = @id AND deleted_at IS NOT NULL", new { id }, cancellationToken: cancellationToken)) > 0,
            cancellationToken);

    // customer.created carries the e-mail, name and metadata, and a credit note's events its memo; each event stays (its
    // deliveries reference it) without them.
    private static async Task ScrubCustomerEventsAsync(DbConnection c, DbTransaction tx, string id, CancellationToken cancellationToken)
    {
        var needle = "%" + JsonSerializer.Serialize(id).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        var events = await c.QueryAsync<(string Id, string Type, string PayloadJson)>(new CommandDefinition(
            "SELECT id, type, payload_json FROM webhook_events WHERE type IN (@customer, @created, @voided) AND payload_json LIKE @needle ESCAPE '\\'",
            new { customer = WebhookEventTypes.CustomerCreated, created = WebhookEventTypes.CreditNoteCreated, voided = WebhookEventTypes.CreditNoteVoided, needle },
            tx, cancellationToken: cancellationToken));
        foreach (var (eventId, type, payload) in events)
        {
            var root = JsonNode.Parse(payload);
            if (root?["data"] is not JsonObject data)
            {
                continue;
            }

            if (type == WebhookEventTypes.CustomerCreated && data["id"]?.GetValue<string>() == id)
            {
                data["email"] = null;
                data["name"] = null;
                data["metadata"] = new JsonObject();
            }
            else if (type != WebhookEventTypes.CustomerCreated && data["customer"]?.GetValue<string>() == id)
            {
                data["memo"] = null;
            }
            else
            {
                continue;
            }

            await ExecuteAsync(c, tx, "UPDATE webhook_events SET payload_json = @payload WHERE id = @eventId",
                new { eventId, payload = root.ToJsonString() }, cancellationToken);
        }
    }

    private static Task<int> ExecuteAsync(DbConnection c, DbTransaction tx, string sql, object args, CancellationToken cancellationToken) =>
        c.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: cancellationToken));
}
