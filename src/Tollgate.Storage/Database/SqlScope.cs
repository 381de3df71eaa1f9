using System.Data.Common;
using Dapper;

namespace Tollgate.Storage.Database;

/// <summary>A connection with its prepared statements, and the transaction (if any) work runs in.</summary>
public class SqlScope(StatementCache statements, DbTransaction? transaction, CancellationToken cancellationToken)
{
    public DbConnection Connection => statements.Connection;

    public DbTransaction? Transaction => transaction;

    public CancellationToken CancellationToken => cancellationToken;

    public CommandDefinition Command(string sql, object? args = null) => new(sql, args, transaction, cancellationToken: cancellationToken);

    /// <summary>Runs a prepared statement and reads its first row, if any.</summary>
    public async Task<T?> RowAsync<T>(Statement statement, Func<DbDataReader, T> read, params object?[] values)
    {
        var command = await statements.BindAsync(statement, transaction, values, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : default;
    }

    /// <summary>Runs a prepared statement and answers the rows it changed.</summary>
    public async Task<int> ExecuteAsync(Statement statement, params object?[] values)
    {
        var command = await statements.BindAsync(statement, transaction, values, cancellationToken);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
