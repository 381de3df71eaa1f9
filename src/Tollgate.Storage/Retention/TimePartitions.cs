using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Retention;

/// <summary>
/// On PostgreSQL, usage_events and llm_calls are partitioned by week (migration 0043): this makes partitions ahead of time
/// and drops those wholly past a retention cutoff, so old rows go without a row deleted. A week rather than a day: a
/// query that cannot name the partition column (a customer's events by occurred_at, a call by its request id) probes
/// every partition, and 400 days of calls are 58 weeks but 400 days; the price is that a row may outlive its retention by
/// up to a week. SQLite keeps one table each and prunes them by rows; there this does nothing.
/// </summary>
public sealed partial class TimePartitions(TollgateDatabase database)
{
    /// <summary>How far ahead partitions are made, so an insert finds one even if maintenance stops for weeks.</summary>
    public static readonly TimeSpan Ahead = TimeSpan.FromDays(28);

    // A drop waits at most this long for inserts in flight: while it waits for its lock, new inserts queue behind it.
    private const string LockTimeout = "SET LOCAL lock_timeout = '1s'";

    /// <summary>
    /// A partitioned table: its partition column, and the table that keeps each sender's id once, by the same column. With
    /// an <paramref name="IdColumn"/>, ids go with their rows (a week's ids are deleted as the week is dropped, a DEFAULT
    /// row's with the row), so the keys table needs no time index and the rows no unique key; without one, ids are
    /// pruned by their own time at the cutoff (<see cref="KeysBatch"/>).
    /// </summary>
    public sealed record Table(string Name, string Column, string KeysTable, string? IdColumn = null);

    public static readonly Table UsageEvents = new("usage_events", "received_at", "usage_event_keys");

    public static readonly Table LlmCalls = new("llm_calls", "occurred_at", "llm_call_keys", IdColumn: "request_id");

    public static IReadOnlyList<Table> All { get; } = [UsageEvents, LlmCalls];

    public bool Applies => database.Dialect.PartitionsByTime;

    /// <summary>
    /// Makes the week partitions from a week before <paramref name="now"/> to <see cref="Ahead"/> after it where missing;
    /// answers how many it made. Rows the DEFAULT partition took for such a week move into it.
    /// </summary>
    public async Task<int> EnsureAsync(DbConnection c, DbTransaction tx, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!Applies)
        {
            return 0;
        }

        // Every week of every table in one statement: a server's start sent twelve, one round trip each.
        var weeks = All.SelectMany(table => Weeks(now).Select(at => (table.Name, table.Column, At: at.ToUnixTimeMilliseconds()))).ToList();
        return await c.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*) FILTER (WHERE tollgate_add_week_partition(w.name, w.part_column, w.at_ms))::int
            FROM unnest(@names::text[], @columns::text[], @ats::bigint[]) AS w(name, part_column, at_ms)
            """, new { names = weeks.Select(w => w.Name).ToArray(), columns = weeks.Select(w => w.Column).ToArray(), ats = weeks.Select(w => w.At).ToArray() },
            tx, cancellationToken: cancellationToken));
    }

    /// <summary>An instant in each week from a week before <paramref name="now"/> to <see cref="Ahead"/> after it.</summary>
    private static IEnumerable<DateTimeOffset> Weeks(DateTimeOffset now)
    {
        for (var at = now - TimeSpan.FromDays(7); at <= now + Ahead; at += TimeSpan.FromDays(7))
        {
            yield return at;
        }
    }

    /// <summary>The table's partitions whose every row is older than <paramref name="cutoff"/> (Unix ms), oldest first.</summary>
    public async Task<IReadOnlyList<string>> ExpiredAsync(DbConnection c, Table table, long cutoff, CancellationToken cancellationToken = default)
    {
        var bounds = await c.QueryAsync<(string Name, string Bound)>(new CommandDefinition("""
            SELECT p.relname, pg_get_expr(p.relpartbound, p.oid) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
            WHERE i.inhparent = @Name::regclass
            """, new { table.Name }, cancellationToken: cancellationToken));
        return [.. bounds
            .Select(b => (b.Name, Upper: UpperBound().Match(b.Bound) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : (long?)null))
            .Where(b => b.Upper is { } upper && upper <= cutoff)
            .OrderBy(b => b.Upper)
            .Select(b => b.Name)];
    }

    /// <summary>
    /// Drops one expired partition in the caller's transaction and answers how many rows went with it and, for a table
    /// whose ids go with their rows, how many ids; null when inserts held the table past the lock timeout (the whole
    /// transaction rolls back, ids included, and the next pass tries again).
    /// </summary>
    public async Task<(long Rows, long Ids)?> DropAsync(DbConnection c, DbTransaction tx, Table table, string partition,
        CancellationToken cancellationToken = default)
    {
        var name = Quote(partition);
        var rows = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {name}", transaction: tx,
            cancellationToken: cancellationToken));
        var forget = table.IdColumn is { } id ? new CommandDefinition($"""
            DELETE FROM {table.KeysTable} k USING {name} r
            WHERE k.customer_id = r.customer_id AND k.{id} = r.{id} AND k.{table.Column} = r.{table.Column}
            """, transaction: tx, cancellationToken: cancellationToken) : (CommandDefinition?)null;
        // The week's ids first, holding nothing an insert waits for; then, with the parent held as DROP holds it (so no
        // insert can be half-way into the week), the ids of calls that reached the week meanwhile. Taking the week's own
        // lock first instead would invert the order inserts take (parent, then week) and could deadlock one.
        var ids = forget is { } first ? await c.ExecuteAsync(first) : 0;
        await c.ExecuteAsync(new CommandDefinition(LockTimeout, transaction: tx, cancellationToken: cancellationToken));
        try
        {
            if (forget is { } late)
            {
                await c.ExecuteAsync(new CommandDefinition($"LOCK TABLE {Quote(table.Name)} IN ACCESS EXCLUSIVE MODE", transaction: tx,
                    cancellationToken: cancellationToken));
                ids += await c.ExecuteAsync(late);
            }

            await c.ExecuteAsync(new CommandDefinition($"DROP TABLE {name}", transaction: tx, cancellationToken: cancellationToken));
            return (rows, ids);
        }
        catch (DbException e) when (e.SqlState == "55P03")
        {
            return null;
        }
    }

    /// <summary>
    /// One batch of the DEFAULT partition's rows older than the cutoff (rows no week partition covered), and one batch of
    /// keys older than it, for <see cref="RetentionPruner"/>'s row deletes.
    /// </summary>
    public static string DefaultRowsBatch(Table table) => table.IdColumn is { } id
        ? $"""
            WITH gone AS (
                DELETE FROM {table.Name}_default
                WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table.Name}_default WHERE {table.Column} < @cutoff LIMIT @batch))
                RETURNING customer_id, {id}, {table.Column})
            DELETE FROM {table.KeysTable} k USING gone
            WHERE k.customer_id = gone.customer_id AND k.{id} = gone.{id} AND k.{table.Column} = gone.{table.Column}
            """
        : $"""
            DELETE FROM {table.Name}_default WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table.Name}_default WHERE {table.Column} < @cutoff LIMIT @batch))
            """;

    public static string KeysBatch(Table table) => $"""
        DELETE FROM {table.KeysTable} WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM {table.KeysTable} WHERE {table.Column} < @cutoff ORDER BY {table.Column} LIMIT @batch))
        """;

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex(@"TO \('?(-?\d+)'?\)")]
    private static partial Regex UpperBound();
}
