using System.Collections.Concurrent;
using Dapper;
using Npgsql;
using Tollgate.Storage.Database;

namespace Tollgate.Testing;

/// <summary>
/// PostgreSQL databases that test servers hand back when they stop, put back as they were cloned, and lend again with
/// their connections still open. A new connection cost the cluster about 120 ms of CPU (a fork and warming its caches on
/// every table) and a clone 35–230 ms, paid by each of about a thousand tests; putting a database back is a few deletes.
/// A database that cannot be put back exactly (a test dropped a partition it was cloned with, or left a transaction
/// open) is not lent again, and neither is one lent <see cref="MaxLends"/> times, whose deleted rows would pile up.
/// </summary>
internal static class ReusedDatabases
{
    private const int MaxLends = 25;

    private static readonly ConcurrentDictionary<string, ConcurrentBag<Lease>> Idle = new();

    // What a clone of each template holds, read from its first clone before any server opened it.
    private static readonly ConcurrentDictionary<string, Lazy<Task<Snapshot>>> Snapshots = new();

    /// <summary>A database of <paramref name="template"/> as it was cloned: a returned one when there is one.</summary>
    public static async Task<Lease> LendAsync(string template, Func<Task<string>> clone)
    {
        if (Idle.TryGetValue(template, out var idle) && idle.TryTake(out var lease))
        {
            lease.Lends++;
            return lease;
        }

        var connectionString = await clone();
        var snapshot = await Snapshots.GetOrAdd(template, _ => new Lazy<Task<Snapshot>>(() => Snapshot.TakeAsync(connectionString))).Value;
        return new Lease(template, connectionString, NpgsqlDataSource.Create(PostgresDatabase.Settle(connectionString)), snapshot);
    }

    /// <summary>Puts the database back as it was cloned and lends it again, or closes its connections when it cannot.</summary>
    public static async Task ReturnAsync(Lease lease)
    {
        try
        {
            if (lease.Lends < MaxLends && await lease.Snapshot.RestoreAsync(lease.DataSource))
            {
                Idle.GetOrAdd(lease.Template, _ => []).Add(lease);
                return;
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
        {
            // Not lent again: the next test clones a fresh database, as it would have without reuse.
        }

        await lease.DataSource.DisposeAsync();
    }

    public sealed class Lease(string template, string connectionString, NpgsqlDataSource dataSource, Snapshot snapshot)
    {
        public string Template { get; } = template;

        public string ConnectionString { get; } = connectionString;

        public NpgsqlDataSource DataSource { get; } = dataSource;

        public Snapshot Snapshot { get; } = snapshot;

        public int Lends { get; set; } = 1;
    }

    /// <summary>A clone's tables, their rows, its partitions and sequences, and how many relations it has.</summary>
    public sealed record Snapshot(
        IReadOnlyList<string> Tables, IReadOnlyDictionary<string, string> Rows, IReadOnlySet<string> Partitions,
        IReadOnlyList<(string Name, long Value, bool Called)> Sequences, long Relations)
    {
        private const string PublicRelations = "c.relnamespace = 'public'::regnamespace";
        private const string PartitionNames =
            $"SELECT c.oid::regclass::text FROM pg_class c WHERE {PublicRelations} AND c.relkind IN ('r', 'p') AND c.relispartition";

        public static async Task<Snapshot> TakeAsync(string connectionString)
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            var tables = await ListAsync(connection,
                $"SELECT c.oid::regclass::text FROM pg_class c WHERE {PublicRelations} AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1");
            var partitions = await ListAsync(connection, PartitionNames);
            var rows = new Dictionary<string, string>();
            foreach (var table in tables)
            {
                using var export = await connection.BeginTextExportAsync($"COPY (SELECT * FROM {table}) TO STDOUT");
                var text = await export.ReadToEndAsync();
                if (text.Length > 0)
                {
                    rows[table] = text;
                }
            }

            var sequences = (await connection.QueryAsync<(string, long, bool)>(
                "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value, start_value), last_value IS NOT NULL FROM pg_sequences"))
                .ToList();

            return new Snapshot(tables, rows, partitions.ToHashSet(StringComparer.Ordinal), sequences, await RelationsAsync(connection));
        }

        /// <summary>Whether the database was put back as this snapshot has it; false when it could not be.</summary>
        public async Task<bool> RestoreAsync(NpgsqlDataSource dataSource)
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            // Whatever a stopped server or the test left running must have ended: its rows would land after the deletes.
            for (var wait = 0; await BusyElsewhereAsync(connection); wait++)
            {
                if (wait == 100)
                {
                    return false;
                }

                await Task.Delay(50);
            }

            // An idle session may still hold a session-level advisory lock (a test's connection taking the retention lock
            // as "another node"): Npgsql releases it only when that pooled connection is next opened, so the next server
            // would wait on it.
            if (await LocksElsewhereAsync(connection))
            {
                return false;
            }

            await using var transaction = await connection.BeginTransactionAsync();
            var partitions = await ListAsync(connection, PartitionNames, transaction);
            if (!Partitions.IsSubsetOf(partitions))
            {
                return false;
            }

            // Replica mode skips the foreign keys' triggers, so the tables empty in any order; it needs a superuser.
            var sql = new System.Text.StringBuilder("SET LOCAL session_replication_role = replica;");
            foreach (var partition in partitions.Where(p => !Partitions.Contains(p)))
            {
                sql.Append("DROP TABLE IF EXISTS ").Append(partition).Append(';');
            }

            foreach (var table in Tables)
            {
                sql.Append("DELETE FROM ").Append(table).Append(';');
            }

            foreach (var (name, value, called) in Sequences)
            {
                sql.Append("SELECT setval('").Append(name.Replace("'", "''", StringComparison.Ordinal)).Append("', ").Append(value)
                    .Append(", ").Append(called ? "true" : "false").Append(");");
            }

            await connection.ExecuteAsync(sql.ToString(), transaction: transaction);

            foreach (var (table, text) in Rows)
            {
                await using var import = await connection.BeginTextImportAsync($"COPY {table} FROM STDIN");
                await import.WriteAsync(text);
            }

            if (await RelationsAsync(connection, transaction) != Relations)
            {
                return false;
            }

            await transaction.CommitAsync();
            return true;
        }

        private static Task<bool> BusyElsewhereAsync(NpgsqlConnection connection) => connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle')");

        private static Task<bool> LocksElsewhereAsync(NpgsqlConnection connection) => connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))");

        private static Task<long> RelationsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction = null) =>
            connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM pg_class c WHERE {PublicRelations}", transaction: transaction);

        private static async Task<List<string>> ListAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) =>
            (await connection.QueryAsync<string>(sql, transaction: transaction)).ToList();
    }
}
