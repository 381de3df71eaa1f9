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

    public CommandDefinition Command(string sql, object? args = null)
    {
        EnsureNothingHeld();
        return new(sql, args, transaction, cancellationToken: cancellationToken);
    }

    /// <summary>Runs a prepared statement and reads its first row, if any.</summary>
    public virtual Task<T?> RowAsync<T>(Statement statement, Func<IRow, T> read, params object?[] values)
    {
        EnsureNothingHeld();
        return statements.RowAsync(statement, transaction, read, values, cancellationToken);
    }

    /// <summary>Runs the statements in order, in one round trip where the database allows it; answers each one's first row (null: none).</summary>
    public Task<object?[]?[]> PipelineAsync(IReadOnlyList<PlannedStatement> planned)
    {
        EnsureNothingHeld();
        return statements.PipelineAsync(planned, transaction, cancellationToken);
    }

    /// <summary>Runs a prepared statement and answers the rows it changed.</summary>
    public Task<int> ExecuteAsync(Statement statement, params object?[] values)
    {
        EnsureNothingHeld();
        return statements.ExecuteAsync(statement, transaction, values, cancellationToken);
    }

    /// <summary>Throws where writes wait for a later round trip (a batch's commit) and a statement would overtake them.</summary>
    internal virtual void EnsureNothingHeld()
    {
    }
}

/// <summary>
/// A statement with its values, planned before it runs so it can travel with others. Consecutive planned statements of
/// one <see cref="Group"/> run as that group's one statement where the database takes arrays.
/// </summary>
public sealed record PlannedStatement(Statement Statement, object?[] Values)
{
    public PlannedGroup? Group { get; init; }
}

/// <summary>
/// One statement standing for several planned statements of one shape: it takes their values as arrays, one per
/// parameter of the members' own statement and named after it, and answers one row per member, in the members' order
/// and in the row shape each member's own statement has. One statement costs the database one execution where a
/// pipeline of its members costs one each.
/// </summary>
public sealed class PlannedGroup(string sql)
{
    public string Sql => sql;

    /// <summary>Each parameter of the members' statement, holding that parameter's value for every member.</summary>
    public IEnumerable<(string Name, object Value)> Parameters(IReadOnlyList<PlannedStatement> members) =>
        members[0].Statement.Parameters.Select((parameter, c) => (parameter.Name, Column(members, c, parameter.Type)));

    private static object Column(IReadOnlyList<PlannedStatement> members, int c, System.Data.DbType type) => type switch
    {
        System.Data.DbType.String => members.Select(m => (string)m.Values[c]!).ToArray(),
        // Nullable, as the members' own parameters are (a feature without a quota): the array then holds a NULL there.
        System.Data.DbType.Int64 => members.Select(m => (long?)m.Values[c]).ToArray(),
        _ => throw new InvalidOperationException($"A planned group takes text and bigint parameters, not {type}."),
    };
}
