using System.Data.Common;

namespace Tollgate.Storage.Database;

/// <summary>
/// A PostgreSQL statement over whole columns of values, each bound as one array (read with <c>unnest</c>): one round trip
/// and one execution for any number of rows. SQLite has no round trips to save; its callers send rows one at a time.
/// </summary>
public static class ArrayCommand
{
    /// <summary>Runs <paramref name="sql"/> with each parameter bound as it is (arrays as arrays) and reads every row it answers.</summary>
    public static Task<List<object?[]>> RowsAsync(this SqlScope scope, string sql, params (string Name, object Value)[] parameters)
    {
        scope.EnsureNothingHeld();
        return scope.Statements.ArrayRowsAsync(sql, parameters, scope.Transaction, scope.CancellationToken);
    }

    /// <summary>
    /// Runs a write whose answer nobody reads. In a batch's writes held for its commit (<see cref="IBatchAggregate.WritesAtCommit"/>)
    /// it waits and goes in the commit's own round trip; anywhere else it runs now.
    /// </summary>
    public static Task WriteRowsAsync(this SqlScope scope, string sql, params (string Name, object Value)[] parameters)
    {
        if (scope is BatchScope { HoldsWrites: true } batch)
        {
            batch.Hold(sql, parameters);
            return Task.CompletedTask;
        }

        return scope.RowsAsync(sql, parameters);
    }
}

/// <summary>Statements over arrays, prepared once per connection as the hot path's other statements are.</summary>
public sealed partial class StatementCache
{
    private readonly Dictionary<string, DbCommand> _arrays = [];

    /// <summary>Runs a statement over arrays; the parameters come in the same order, with the same element types, every time.</summary>
    public async Task<List<object?[]>> ArrayRowsAsync(string sql, (string Name, object Value)[] parameters, DbTransaction? transaction,
        CancellationToken cancellationToken)
    {
        if (!_arrays.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            Bind(command.CreateParameter, command.Parameters, parameters);

            command.Transaction = transaction;
            if (_prepares)
            {
                await command.PrepareAsync(cancellationToken);
            }

            _arrays[sql] = command;
        }

        command.Transaction = transaction;
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters[i].Value = parameters[i].Value;
        }

        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Commits the transaction. Writes held for the commit go before the COMMIT in the same batch, so one round trip
    /// carries both. If one of them fails, PostgreSQL skips the rest of the batch, the COMMIT included, and the
    /// transaction is rolled back as any failed statement's is.
    /// </summary>
    public async Task CommitAsync(DbTransaction transaction, IReadOnlyList<(string Sql, (string Name, object Value)[] Parameters)> held,
        CancellationToken cancellationToken)
    {
        // Only PostgreSQL holds writes (BatchScope.HoldsWrites), and Npgsql always takes batches.
        if (held.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return;
        }

        await using var batch = _connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var (sql, parameters) in held)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = sql;
            Bind(command.CreateParameter, command.Parameters, parameters);

            batch.BatchCommands.Add(command);
        }

        // Npgsql reads the transaction's end from the server's answer: the transaction object then has nothing to roll back.
        var commit = batch.CreateBatchCommand();
        commit.CommandText = "COMMIT";
        batch.BatchCommands.Add(commit);
        // The held statements were prepared on this connection before (by their text): found again without a round trip.
        if (_prepares)
        {
            await batch.PrepareAsync(cancellationToken);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.NextResultAsync(cancellationToken))
        {
        }
    }

    /// <summary>Adds each value as it is (an array as an array), named as the statement's text names it.</summary>
    private static void Bind(Func<DbParameter> create, DbParameterCollection into, IEnumerable<(string Name, object Value)> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var parameter = create();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            into.Add(parameter);
        }
    }

    private async Task DisposeArraysAsync()
    {
        foreach (var command in _arrays.Values)
        {
            await command.DisposeAsync();
        }

        _arrays.Clear();
    }
}
