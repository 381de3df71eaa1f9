using System.Data.Common;
using Dapper;

namespace Tollgate.Storage.Database;

/// <summary>A connection with its prepared statements, and the transaction (if any) work runs in.</summary>
public class SqlScope(StatementCache statements, DbTransaction? transaction, CancellationToken cancellationToken)
{
    public DbConnection Connection => statements.Connection;

    internal StatementCache Statements => statements;

    public DbTransaction? Transaction => transaction;

    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>Whether sending many rows in one statement saves round trips (PostgreSQL); SQLite has none to save.</summary>
    public bool BatchesRows => statements.BatchesRows;

    public CommandDefinition Command(string sql, object? args = null) => new(sql, args, transaction, cancellationToken: cancellationToken);

    /// <summary>Runs a prepared statement and reads its first row, if any.</summary>
    public virtual Task<T?> RowAsync<T>(Statement statement, Func<IRow, T> read, params object?[] values) =>
        statements.RowAsync(statement, transaction, read, values, cancellationToken);

    /// <summary>Runs the statements in order, in one round trip where the database allows it; answers each one's first row (null: none).</summary>
    public Task<object?[]?[]> PipelineAsync(IReadOnlyList<PlannedStatement> planned) =>
        statements.PipelineAsync(planned, transaction, cancellationToken);

    /// <summary>Runs a prepared statement and answers the rows it changed.</summary>
    public Task<int> ExecuteAsync(Statement statement, params object?[] values) =>
        statements.ExecuteAsync(statement, transaction, values, cancellationToken);
}

/// <summary>A statement with its values, planned before it runs so it can travel with others.</summary>
public sealed record PlannedStatement(Statement Statement, object?[] Values);
