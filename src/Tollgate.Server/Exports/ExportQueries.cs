using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Exports;

/// <summary>How the writer renders a column: money stays integer here and becomes decimal only in the written file.</summary>
public enum ExportColumnType
{
    Text,
    Integer,
    Instant,
    Boolean,
    Json,
    MinorUnits,
    NanoUsd,
}

public sealed record ExportColumn(string Name, ExportColumnType Type);

/// <summary>One export: its URL name, its columns (in SELECT order) and the range query, ordered for stable output.</summary>
public sealed record ExportSpec(string Name, IReadOnlyList<ExportColumn> Columns, string Sql)
{
    /// <summary>The column that holds the currency of the <see cref="ExportColumnType.MinorUnits"/> columns.</summary>
    public int CurrencyIndex { get; } = Columns.ToList().FindIndex(c => c.Name == "currency");
}

/// <summary>Reads an export's rows straight off the database reader, one at a time, so memory stays flat whatever the range.</summary>
public sealed class ExportQueries(TollgateDatabase database)
{
    private static ExportColumn C(string name, ExportColumnType type = ExportColumnType.Text) => new(name, type);

    public static readonly IReadOnlyList<ExportSpec> All =
    [
        new("usage-daily", [C("day"), C("customer_id"), C("feature_code"), C("quantity", ExportColumnType.Integer)], """
            SELECT day, customer_id, feature_code, quantity FROM usage_daily
            WHERE day >= @fromDay AND day <= @toDay ORDER BY day, customer_id, feature_code
            """),
        new("llm-calls", [
            C("occurred_at", ExportColumnType.Instant), C("customer_id"), C("request_id"), C("feature_code"), C("model"), C("provider"), C("price_id"),
            C("plan_code"), C("input_tokens", ExportColumnType.Integer), C("output_tokens", ExportColumnType.Integer),
            C("cached_input_tokens", ExportColumnType.Integer), C("cache_write_tokens", ExportColumnType.Integer),
            C("reasoning_tokens", ExportColumnType.Integer), C("requests", ExportColumnType.Integer), C("images", ExportColumnType.Integer),
            C("cost", ExportColumnType.NanoUsd), C("currency"), C("unpriced", ExportColumnType.Boolean), C("metadata", ExportColumnType.Json),
            C("member_id"), C("cache_write_1h_tokens", ExportColumnType.Integer),
        ], """
            SELECT occurred_at, customer_id, request_id, feature_code, model, provider, price_id, plan_code, input_tokens, output_tokens,
                cached_input_tokens, cache_write_tokens, reasoning_tokens, requests, images, cost_nano, 'USD', unpriced, metadata_json,
                member_id, cache_write_1h_tokens
            FROM llm_calls WHERE occurred_at >= @from AND occurred_at < @to ORDER BY occurred_at, customer_id, request_id
            """),
        new("events", [
            C("occurred_at", ExportColumnType.Instant), C("received_at", ExportColumnType.Instant), C("customer_id"), C("id"), C("feature_code"),
            C("amount", ExportColumnType.Integer), C("properties", ExportColumnType.Json), C("metadata", ExportColumnType.Json), C("source"),
            C("member_id"),
        ], """
            SELECT occurred_at, received_at, customer_id, id, feature_code, amount, properties_json, metadata_json, source, member_id
            FROM usage_events WHERE occurred_at >= @from AND occurred_at < @to ORDER BY occurred_at, customer_id, id
            """),
        new("invoices", [
            C("created_at", ExportColumnType.Instant), C("id"), C("number"), C("customer_id"), C("subscription_id"), C("status"), C("billing_reason"),
            C("currency"), C("subtotal", ExportColumnType.MinorUnits), C("credit_applied", ExportColumnType.MinorUnits),
            C("amount_due", ExportColumnType.MinorUnits), C("amount_paid", ExportColumnType.MinorUnits), C("period_start", ExportColumnType.Instant),
            C("period_end", ExportColumnType.Instant), C("issued_at", ExportColumnType.Instant), C("due_at", ExportColumnType.Instant),
            C("paid_at", ExportColumnType.Instant), C("voided_at", ExportColumnType.Instant),
            // Added after the first columns, so a reader that takes columns by position keeps working.
            C("discount", ExportColumnType.MinorUnits), C("tax", ExportColumnType.MinorUnits), C("total", ExportColumnType.MinorUnits),
            C("reverse_charge", ExportColumnType.Boolean),
        ], """
            SELECT created_at, id, number, customer_id, subscription_id, status, billing_reason, currency, subtotal_cents, credit_applied_cents,
                amount_due_cents, amount_paid_cents, period_start, period_end, issued_at, due_at, paid_at, voided_at, discount_cents, tax_cents,
                total_cents, reverse_charge
            FROM invoices WHERE created_at >= @from AND created_at < @to ORDER BY created_at, id
            """),
        new("credit-notes", [
            C("created_at", ExportColumnType.Instant), C("id"), C("number"), C("invoice_id"), C("customer_id"), C("currency"),
            C("amount", ExportColumnType.MinorUnits), C("pre_payment_amount", ExportColumnType.MinorUnits),
            C("credit_balance_amount", ExportColumnType.MinorUnits), C("refund_amount", ExportColumnType.MinorUnits), C("reason"), C("memo"),
        ], """
            SELECT created_at, id, number, invoice_id, customer_id, currency, amount_cents, pre_payment_amount_cents, credit_balance_cents,
                refund_amount_cents, reason, memo
            FROM credit_notes WHERE created_at >= @from AND created_at < @to ORDER BY created_at, id
            """),
        new("customers", [
            C("created_at", ExportColumnType.Instant), C("id"), C("email"), C("name"), C("metadata", ExportColumnType.Json),
            C("has_payment_method", ExportColumnType.Boolean), C("updated_at", ExportColumnType.Instant), C("deleted_at", ExportColumnType.Instant),
            C("address", ExportColumnType.Json), C("tax_ids", ExportColumnType.Json), C("tax_exempt"), C("tax_rates", ExportColumnType.Json),
        ], """
            SELECT created_at, id, email, name, metadata_json, has_payment_method, updated_at, deleted_at, address_json, tax_ids_json, tax_exempt,
                tax_rates_json
            FROM customers WHERE created_at >= @from AND created_at < @to ORDER BY created_at, id
            """),
    ];

    public static ExportSpec? Find(string? name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>The rows of <paramref name="spec"/> in [from, to); each yielded record is only valid until the next.</summary>
    public async IAsyncEnumerable<DbDataReader> ReadAsync(
        ExportSpec spec, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (database.Dialect.ScanSetup is { } setup)
        {
            await connection.ExecuteAsync(new CommandDefinition(setup, cancellationToken: cancellationToken));
        }

        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(spec.Sql, Range(from, to), cancellationToken: cancellationToken));
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return reader;
        }
    }

    /// <summary>How many rows the export will write, for a progress bar.</summary>
    public Task<long> CountAsync(ExportSpec spec, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var where = spec.Sql[spec.Sql.IndexOf("FROM", StringComparison.Ordinal)..spec.Sql.IndexOf("ORDER BY", StringComparison.Ordinal)];
        return database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) " + where, Range(from, to),
            cancellationToken: cancellationToken)), cancellationToken);
    }

    // usage_daily is keyed by UTC day: a day is in the range when any of it is.
    private static object Range(DateTimeOffset from, DateTimeOffset to) => new
    {
        from = from.ToUnixTimeMilliseconds(),
        to = to.ToUnixTimeMilliseconds(),
        fromDay = from.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        toDay = to.AddTicks(-1).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };
}
