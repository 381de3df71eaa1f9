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
    public Task<T?> RowAsync<T>(Statement statement, Func<IRow, T> read, params object?[] values) =>
        statements.RowAsync(statement, transaction, read, values, cancellationToken);

    /// <summary>Runs a prepared statement and answers the rows it changed.</summary>
    public Task<int> ExecuteAsync(Statement statement, params object?[] values) =>
        statements.ExecuteAsync(statement, transaction, values, cancellationToken);
}
