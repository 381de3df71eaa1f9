using Dapper;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Entitlements;

/// <summary>What every tracked event carries, whichever form it came in.</summary>
public interface ITrackedEvent
{
    int Index { get; }

    string Id { get; }

    string CustomerId { get; }

    DateTimeOffset Timestamp { get; }
}

/// <summary>
/// The steps every tracked event takes, in either form: its customer found (a member's event counts for its
/// organisation), a timestamp ahead of this server's clock refused, the form's own refusals, then the event kept once
/// under its id (a resent one is listed as a duplicate) and counted.
/// </summary>
internal sealed class EventIntake<T>(EntitlementContextCache contexts) where T : ITrackedEvent
{
    /// <summary>The form's refusal of an event (null to accept it), in the "field: reason" words of the batch answer.</summary>
    public required Func<T, EntitlementContext, BatchScope, string?> Refuse { get; init; }

    /// <summary>The form's INSERT … ON CONFLICT DO NOTHING and its parameters for an event of the context's customer.</summary>
    public required Func<T, EntitlementContext, BatchScope, CommandDefinition> Insert { get; init; }

    /// <summary>Counts a newly kept event.</summary>
    public required Func<T, EntitlementContext, BatchScope, Task> CountAsync { get; init; }

    public async Task<TrackResult> TrackAsync(BatchScope scope, IReadOnlyList<T> events)
    {
        var accepted = 0;
        var duplicates = new List<string>();
        var rejected = new List<(int, string?, string)>();
        foreach (var e in events)
        {
            var context = await contexts.LoadAsync(scope, e.CustomerId);
            var refusal = context is null ? $"customer: no customer '{e.CustomerId}'"
                : e.Timestamp > scope.Now + EventStore.MaxSkew ? "timestamp: is in the future"
                : Refuse(e, context, scope);
            if (refusal is not null)
            {
                rejected.Add((e.Index, e.Id, refusal));
                continue;
            }

            if (await scope.Connection.ExecuteAsync(Insert(e, context!, scope)) == 0)
            {
                duplicates.Add(e.Id);
                continue;
            }

            await CountAsync(e, context!, scope);
            accepted++;
        }

        return new TrackResult(accepted, duplicates, rejected);
    }
}
