using System.Data.Common;
using System.Text.Json;
using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Customers;

/// <summary>
/// Everything Tollgate holds about one customer (GDPR access), written as one JSON document row by row, so a customer
/// with millions of LLM calls costs no more memory than one with none. Columns keep their names; instants (ms) become
/// ISO 8601 and <c>*_json</c> columns are embedded as JSON under the name without the suffix.
/// </summary>
public sealed class CustomerDataExport(TollgateDatabase database)
{
    private static readonly (string Name, string Sql)[] Sections =
    [
        ("subscriptions", "SELECT * FROM subscriptions WHERE customer_id = @id ORDER BY created_at, id"),
        ("subscription_events", "SELECT * FROM subscription_events WHERE customer_id = @id ORDER BY at, sequence"),
        ("invoices", "SELECT * FROM invoices WHERE customer_id = @id ORDER BY created_at, id"),
        ("invoice_lines", """
            SELECT l.* FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
            WHERE i.customer_id = @id ORDER BY i.created_at, l.invoice_id, l.position
            """),
        ("pending_invoice_items", "SELECT * FROM pending_invoice_items WHERE customer_id = @id ORDER BY created_at, id"),
        ("balance_transactions", "SELECT * FROM balance_transactions WHERE customer_id = @id ORDER BY created_at, id"),
        ("credit_notes", "SELECT * FROM credit_notes WHERE customer_id = @id ORDER BY created_at, id"),
        ("credit_note_lines", """
            SELECT l.* FROM credit_note_lines l JOIN credit_notes n ON n.id = l.credit_note_id
            WHERE n.customer_id = @id ORDER BY n.created_at, l.credit_note_id, l.position
            """),
        ("usage_counters", "SELECT * FROM usage_counters WHERE customer_id = @id ORDER BY feature_code, period_start"),
        ("usage_daily", "SELECT * FROM usage_daily WHERE customer_id = @id ORDER BY day, feature_code"),
        ("reservations", "SELECT * FROM reservations WHERE customer_id = @id ORDER BY created_at, id"),
        ("usage_events", "SELECT * FROM usage_events WHERE customer_id = @id ORDER BY occurred_at, id"),
        ("metric_events", "SELECT * FROM metric_events WHERE customer_id = @id ORDER BY occurred_at, id"),
        ("metric_rollups", "SELECT * FROM metric_rollups WHERE customer_id = @id ORDER BY metric_code, window_start, window_end, group_key"),
        ("metric_distinct_values", """
            SELECT * FROM metric_distinct_values WHERE customer_id = @id ORDER BY metric_code, window_start, window_end, group_key, value
            """),
        ("late_usage_windows", "SELECT * FROM late_usage_windows WHERE customer_id = @id ORDER BY feature_code, window_start"),
        ("llm_calls", "SELECT * FROM llm_calls WHERE customer_id = @id ORDER BY occurred_at, request_id"),
        ("llm_daily", "SELECT * FROM llm_daily WHERE customer_id = @id ORDER BY day, feature_code, model, plan_code"),
        ("usage_alerts", "SELECT * FROM usage_alerts WHERE customer_id = @id ORDER BY created_at, id"),
        ("experiment_conversions", "SELECT * FROM experiment_conversions WHERE customer_id = @id ORDER BY converted_at, experiment_id"),
        // The e-mails sent (or due) to the customer: the address, the subject and what they said.
        ("email_messages", "SELECT * FROM email_messages WHERE customer_id = @id ORDER BY queued_at, id"),
        // An organisation's members (their e-mails and names) and each member's own share of a per_member_limit quota.
        ("members", "SELECT * FROM members WHERE customer_id = @id ORDER BY created_at, id"),
        ("member_usage_counters", """
            SELECT u.* FROM usage_counters u JOIN members m ON m.id = u.customer_id
            WHERE m.customer_id = @id ORDER BY u.customer_id, u.feature_code, u.period_start
            """),
    ];

    // SQLite stores these as 0 and 1; the document writes them as JSON booleans on both stores.
    private static readonly HashSet<string> BooleanColumns = new(StringComparer.Ordinal)
    {
        "has_payment_method", "cancel_at_period_end", "was_trial", "unpriced", "reverse_charge",
    };

    // Tollgate's own bookkeeping, nothing about the customer: a cache version, counted differently by each store's
    // triggers, and the newest subscription's plan and status, which the subscriptions section holds already.
    private static readonly HashSet<string> InternalColumns = new(StringComparer.Ordinal)
    {
        "context_version", "newest_plan_code", "newest_subscription_status",
    };

    private static readonly HashSet<string> InstantColumns = new(StringComparer.Ordinal)
    {
        "at", "period_start", "period_end", "current_period_start", "current_period_end", "window_start", "window_end",
    };

    /// <summary>Writes the document to <paramref name="output"/>; the caller has checked that the customer exists.</summary>
    public async Task WriteAsync(string id, Stream output, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var writer = new Utf8JsonWriter(output);
        await using var connection = await database.OpenAsync(cancellationToken);
        if (database.Dialect.ScanSetup is { } setup)
        {
            await connection.ExecuteAsync(new CommandDefinition(setup, cancellationToken: cancellationToken));
        }

        writer.WriteStartObject();
        writer.WriteString("exported_at", now.UtcDateTime);
        writer.WritePropertyName("customer");
        await WriteRowsAsync(connection, "SELECT * FROM customers WHERE id = @id", id, writer, single: true, cancellationToken);
        foreach (var (name, sql) in Sections)
        {
            writer.WritePropertyName(name);
            await WriteRowsAsync(connection, sql, id, writer, single: false, cancellationToken);
        }

        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    private static async Task WriteRowsAsync(
        DbConnection connection, string sql, string id, Utf8JsonWriter writer, bool single, CancellationToken cancellationToken)
    {
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
        if (!single)
        {
            writer.WriteStartArray();
        }

        var any = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            any = true;
            WriteRow(reader, writer);
            if (writer.BytesPending > 32 * 1024)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        if (single && !any)
        {
            writer.WriteNullValue();
        }

        if (!single)
        {
            writer.WriteEndArray();
        }
    }

    private static void WriteRow(DbDataReader reader, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var name = reader.GetName(i);
            if (InternalColumns.Contains(name))
            {
                continue;
            }

            var value = reader.GetValue(i);
            if (name.EndsWith("_json", StringComparison.Ordinal))
            {
                writer.WritePropertyName(name[..^5]);
                if (value is string json)
                {
                    writer.WriteRawValue(json);
                }
                else
                {
                    writer.WriteNullValue();
                }

                continue;
            }

            writer.WritePropertyName(name);
            switch (value)
            {
                case DBNull:
                    writer.WriteNullValue();
                    break;
                case long or int or short when BooleanColumns.Contains(name):
                    writer.WriteBooleanValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) != 0);
                    break;
                case long ms when name.EndsWith("_at", StringComparison.Ordinal) || InstantColumns.Contains(name):
                    writer.WriteStringValue(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime);
                    break;
                case long or int or short:
                    writer.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                default:
                    writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }

        writer.WriteEndObject();
    }
}
