using System.Data;
using System.Data.Common;

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

/// <summary>The statements prepared on one long-lived connection.</summary>
public sealed class StatementCache(DbConnection connection) : IAsyncDisposable
{
    private readonly Dictionary<Statement, DbCommand> _prepared = [];

    public DbConnection Connection => connection;

    public async Task<DbCommand> BindAsync(Statement statement, DbTransaction? transaction, object?[] values, CancellationToken cancellationToken)
    {
        if (!_prepared.TryGetValue(statement, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = statement.Sql;
            foreach (var (name, type) in statement.Parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + name;
                parameter.DbType = type;
                command.Parameters.Add(parameter);
            }

            command.Transaction = transaction;
            await command.PrepareAsync(cancellationToken);
            _prepared[statement] = command;
        }

        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values)
        {
            await command.DisposeAsync();
        }

        _prepared.Clear();
        await connection.DisposeAsync();
    }
}
