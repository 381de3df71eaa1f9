using System.Data.Common;

namespace Tollgate.Storage.Database;

public abstract partial class TollgateDatabase
{
    // Per store, not static: a flow's statement rides this store's transactions only.
    private readonly AsyncLocal<FlowStatement?> _flowStatement = new();

    /// <summary>
    /// Runs <paramref name="statement"/> in every write transaction the current flow (this call's async flow and the flows it
    /// starts) commits through this store, after the transaction's work and before its commit, until the answer is
    /// disposed: <see cref="WriteAsync{T}"/>'s, and <see cref="GroupCommitter"/>'s batches for the operations this flow sends.
    /// What the flow writes and what the statement records then commit together, or not at all: a statement that throws
    /// rolls its transaction back. Rolled-back transactions (<see cref="RehearseAsync{T}"/>, <see cref="ReadSnapshotAsync{T}"/>)
    /// do not run it. One per flow.
    /// </summary>
    public IDisposable AlsoInEveryWrite(Func<DbConnection, DbTransaction, CancellationToken, Task> statement)
    {
        if (FlowStatementNow is not null)
        {
            throw new InvalidOperationException("This flow already has a statement for every write; one at a time.");
        }

        var added = new FlowStatement(statement, _flowStatement);
        _flowStatement.Value = added;
        return added;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction of its own without the flow's statement for every write: for a
    /// record that must be committed before a call outside (a plan change's intent, before Stripe is asked), and is not the
    /// change the flow makes, so a request that then fails has applied nothing and may run again.
    /// </summary>
    public async Task WriteOutsideFlowAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken = default)
    {
        // This method's own copy of the flow: the caller's keeps its statement when this returns.
        _flowStatement.Value = null;
        await WriteAsync(work, cancellationToken);
    }

    /// <summary>The current flow's statement for every write transaction, while it is not disposed.</summary>
    internal FlowStatement? FlowStatementNow => _flowStatement.Value is { Active: true } statement ? statement : null;
}

/// <summary>
/// A statement the write transactions of one flow also run. Disposed, it stops at once, in the flows that copied it too
/// (work the flow started and left running), not only where it was set.
/// </summary>
internal sealed class FlowStatement(Func<DbConnection, DbTransaction, CancellationToken, Task> statement, AsyncLocal<FlowStatement?> holder)
    : IDisposable
{
    private volatile bool _disposed;

    public bool Active => !_disposed;

    public Task RunAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        _disposed ? Task.CompletedTask : statement(connection, transaction, cancellationToken);

    public void Dispose()
    {
        _disposed = true;
        if (ReferenceEquals(holder.Value, this))
        {
            holder.Value = null;
        }
    }
}
