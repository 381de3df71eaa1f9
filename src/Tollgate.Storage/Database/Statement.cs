using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tollgate.Storage.Database;

/// <summary>
/// A hot-path SQL statement with typed parameters, prepared once per connection and re-bound per call: preparing
/// costs several times what executing does, so the hot path never prepares twice.
/// </summary>
public sealed class Statement(string sql, params (string Name, DbType Type)[] parameters)
{
    public string Sql => sql;

    public IReadOnlyList<(string Name, DbType Type)> Parameters => parameters;
}

/// <summary>One result row, read by column position.</summary>
public interface IRow
{
    bool IsDBNull(int ordinal);

    long GetInt64(int ordinal);

    string GetString(int ordinal);

    bool GetBoolean(int ordinal);

    /// <summary>The row's values; only rows of a few columns are read this way.</summary>
    object?[] ToArray();
}

/// <summary>A row already read, kept as its values.</summary>
public sealed class ValuesRow(object?[] values) : IRow
{
    public bool IsDBNull(int ordinal) => values[ordinal] is null;

    public long GetInt64(int ordinal) => Convert.ToInt64(values[ordinal], System.Globalization.CultureInfo.InvariantCulture);

    public string GetString(int ordinal) => (string)values[ordinal]!;

    public bool GetBoolean(int ordinal) => values[ordinal] is bool b ? b : GetInt64(ordinal) != 0;

    public object?[] ToArray() => values;
}

/// <summary>
/// The statements prepared on one long-lived connection. On PostgreSQL they are prepared ADO.NET commands. On SQLite
/// they are raw sqlite3 statements bound by position: Microsoft.Data.Sqlite looks every parameter up by name on
/// every execution (a linear scan per parameter), which was the largest single cost of the single writer.
/// </summary>
public sealed partial class StatementCache : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly sqlite3? _sqlite;
    private readonly Dictionary<Statement, DbCommand> _prepared = [];
    private readonly Dictionary<Statement, (sqlite3_stmt Stmt, int[] Indexes)> _raw = [];
    private readonly bool _ownsConnection;
    private readonly bool _prepares;

    /// <param name="connection">An open connection.</param>
    /// <param name="ownsConnection">Whether disposing the cache disposes the connection too (false: the statements only).</param>
    public StatementCache(DbConnection connection, bool ownsConnection = true)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _prepares = PostgresDatabase.PreparesStatements(connection);
        if (connection is SqliteConnection { Handle: { } handle })
        {
            _sqlite = handle;
            // Raw statements get no retry loop from Microsoft.Data.Sqlite; let SQLite wait for a lock itself instead.
            raw.sqlite3_busy_timeout(handle, 30_000);
        }
    }

    public DbConnection Connection => _connection;

    /// <summary>Whether the connection crosses a network, so that statements sent together save round trips.</summary>
    public bool BatchesRows => _sqlite is null;

    /// <summary>Runs the statement to its end and answers the rows it changed.</summary>
    public async Task<int> ExecuteAsync(Statement statement, DbTransaction? transaction, object?[] values, CancellationToken cancellationToken)
    {
        if (_sqlite is null)
        {
            var command = await BindAsync(statement, transaction, values, cancellationToken);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var stmt = BindRaw(statement, values);
        try
        {
            while (Step(stmt) == raw.SQLITE_ROW)
            {
            }

            return raw.sqlite3_changes(_sqlite);
        }
        finally
        {
            raw.sqlite3_reset(stmt);
        }
    }

    /// <summary>Runs the statement and reads its first row, if any.</summary>
    public async Task<T?> RowAsync<T>(Statement statement, DbTransaction? transaction, Func<IRow, T> read, object?[] values, CancellationToken cancellationToken)
    {
        if (_sqlite is null)
        {
            var command = await BindAsync(statement, transaction, values, cancellationToken);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? read(new DataReaderRow(reader)) : default;
        }

        var stmt = BindRaw(statement, values);
        try
        {
            // SQLite makes all of an UPDATE … RETURNING's changes in the first step; resetting after one row loses none.
            return Step(stmt) == raw.SQLITE_ROW ? read(new SqliteRow(stmt)) : default;
        }
        finally
        {
            // A statement left mid-result would hold its read snapshot open.
            raw.sqlite3_reset(stmt);
        }
    }

    /// <summary>
    /// Runs the statements in order: on PostgreSQL as one batch (one round trip), on SQLite one by one (no round trips to save).
    /// Each must be a query or have a RETURNING clause: Npgsql's reader passes over the results of statements without one,
    /// which would shift every later statement's row onto an earlier one.
    /// </summary>
    public async Task<object?[]?[]> PipelineAsync(IReadOnlyList<PlannedStatement> planned, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = new object?[]?[planned.Count];
        if (planned.Count == 0)
        {
            return rows;
        }

        if (_sqlite is not null || !_connection.CanCreateBatch)
        {
            for (var i = 0; i < planned.Count; i++)
            {
                rows[i] = await RowAsync(planned[i].Statement, transaction, ToArray, planned[i].Values, cancellationToken);
            }

            return rows;
        }

        await using var batch = _connection.CreateBatch();
        batch.Transaction = transaction;
        // How many planned statements each command stands for: one, or a run of one group's members.
        var members = new List<int>();
        for (var start = 0; start < planned.Count;)
        {
            var end = start + 1;
            while (planned[start].Group is { } group && end < planned.Count && ReferenceEquals(planned[end].Group, group))
            {
                end++;
            }

            var command = batch.CreateBatchCommand();
            if (end - start > 1)
            {
                command.CommandText = planned[start].Group!.Sql;
                Bind(command.CreateParameter, command.Parameters, planned[start].Group!.Parameters([.. planned.Skip(start).Take(end - start)]));
            }
            else
            {
                var (statement, values) = planned[start];
                command.CommandText = statement.Sql;
                for (var i = 0; i < values.Length; i++)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = "@" + statement.Parameters[i].Name;
                    parameter.DbType = statement.Parameters[i].Type;
                    parameter.Value = values[i] ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }
            }

            batch.BatchCommands.Add(command);
            members.Add(end - start);
            start = end;
        }

        // Statements this connection prepared before are found again by their text, without a round trip.
        if (_prepares)
        {
            await batch.PrepareAsync(cancellationToken);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        for (int k = 0, offset = 0; k < members.Count; offset += members[k], k++)
        {
            if (k > 0)
            {
                await reader.NextResultAsync(cancellationToken);
            }

            // A group's statement answers one row per member, in order; a lone statement its first row, if any.
            for (var j = 0; j < members[k] && await reader.ReadAsync(cancellationToken); j++)
            {
                var row = new object?[reader.FieldCount];
                for (var c = 0; c < row.Length; c++)
                {
                    row[c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
                }

                rows[offset + j] = row;
            }
        }

        return rows;
    }

    private static object?[] ToArray(IRow row) => row.ToArray();

    private async Task<DbCommand> BindAsync(Statement statement, DbTransaction? transaction, object?[] values, CancellationToken cancellationToken)
    {
        if (!_prepared.TryGetValue(statement, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = statement.Sql;
            foreach (var (name, type) in statement.Parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + name;
                parameter.DbType = type;
                command.Parameters.Add(parameter);
            }

            command.Transaction = transaction;
            if (_prepares)
            {
                await command.PrepareAsync(cancellationToken);
            }

            _prepared[statement] = command;
        }

        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }

    private sqlite3_stmt BindRaw(Statement statement, object?[] values)
    {
        if (!_raw.TryGetValue(statement, out var prepared))
        {
            Check(raw.sqlite3_prepare_v2(_sqlite, statement.Sql, out var stmt));
            // Names are looked up once here; 0 marks a parameter the SQL does not use.
            prepared = (stmt, [.. statement.Parameters.Select(p => raw.sqlite3_bind_parameter_index(stmt, "@" + p.Name))]);
            _raw[statement] = prepared;
        }

        var (target, indexes) = prepared;
        for (var i = 0; i < values.Length; i++)
        {
            var index = indexes[i];
            if (index == 0)
            {
                continue;
            }

            Check(values[i] switch
            {
                null => raw.sqlite3_bind_null(target, index),
                long l => raw.sqlite3_bind_int64(target, index, l),
                int n => raw.sqlite3_bind_int64(target, index, n),
                bool b => raw.sqlite3_bind_int64(target, index, b ? 1 : 0),
                string s => raw.sqlite3_bind_text(target, index, s),
                double d => raw.sqlite3_bind_double(target, index, d),
                var other => throw new ArgumentException(
                    $"Parameter '{statement.Parameters[i].Name}' has a {other.GetType().Name}, which statements do not bind."),
            });
        }

        return target;
    }

    private int Step(sqlite3_stmt stmt)
    {
        var rc = raw.sqlite3_step(stmt);
        if (rc is not (raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            SqliteException.ThrowExceptionForRC(rc, _sqlite);
        }

        return rc;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _sqlite);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values)
        {
            await command.DisposeAsync();
        }

        // Finalized before the connection goes back to its pool, which would otherwise keep them alive.
        foreach (var (stmt, _) in _raw.Values)
        {
            stmt.Dispose();
        }

        await DisposeArraysAsync();
        _prepared.Clear();
        _raw.Clear();
        if (_ownsConnection)
        {
            await _connection.DisposeAsync();
        }
    }

    private sealed class DataReaderRow(DbDataReader reader) : IRow
    {
        public bool IsDBNull(int ordinal) => reader.IsDBNull(ordinal);

        public long GetInt64(int ordinal) => reader.GetInt64(ordinal);

        public string GetString(int ordinal) => reader.GetString(ordinal);

        public bool GetBoolean(int ordinal) => reader.GetBoolean(ordinal);

        public object?[] ToArray() => [.. Enumerable.Range(0, reader.FieldCount).Select(c => reader.IsDBNull(c) ? null : reader.GetValue(c))];
    }

    private sealed class SqliteRow(sqlite3_stmt stmt) : IRow
    {
        public bool IsDBNull(int ordinal) => raw.sqlite3_column_type(stmt, ordinal) == raw.SQLITE_NULL;

        public long GetInt64(int ordinal) => raw.sqlite3_column_int64(stmt, ordinal);

        public string GetString(int ordinal) => raw.sqlite3_column_text(stmt, ordinal).utf8_to_string();

        public bool GetBoolean(int ordinal) => raw.sqlite3_column_int64(stmt, ordinal) != 0;

        public object?[] ToArray() => [.. Enumerable.Range(0, raw.sqlite3_column_count(stmt)).Select(c => raw.sqlite3_column_type(stmt, c) switch
        {
            raw.SQLITE_NULL => null,
            raw.SQLITE_INTEGER => (object?)raw.sqlite3_column_int64(stmt, c),
            raw.SQLITE_FLOAT => raw.sqlite3_column_double(stmt, c),
            _ => raw.sqlite3_column_text(stmt, c).utf8_to_string(),
        })];
    }
}
