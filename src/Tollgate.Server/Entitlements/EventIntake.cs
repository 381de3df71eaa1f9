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

    private string? Refusal(T e, EntitlementContext? context, BatchScope scope) =>
        context is null ? $"customer: no customer '{e.CustomerId}'"
        : e.Timestamp > scope.Now + EventStore.MaxSkew ? "timestamp: is in the future"
        : Refuse(e, context, scope);

    /// <summary>Every customer's context for a batch, read at once (one statement on PostgreSQL).</summary>
    public Task<IReadOnlyDictionary<string, EntitlementContext?>> ContextsAsync(BatchScope scope, IReadOnlyList<T> events) =>
        contexts.LoadManyAsync(scope, [.. events.Select(e => e.CustomerId).Distinct(StringComparer.Ordinal)]);

    /// <summary>
    /// The events accepted on the contexts <see cref="ContextsAsync"/> read, in their order, and the refusals of the others
    /// (index, id and reason).
    /// </summary>
    public (List<(T Event, EntitlementContext Context)> Accepted, List<(int, string?, string)> Rejected) Screen(BatchScope scope,
        IReadOnlyList<T> events, IReadOnlyDictionary<string, EntitlementContext?> contextOf)
    {
        var rejected = new List<(int, string?, string)>();
        var accepted = new List<(T Event, EntitlementContext Context)>(events.Count);
        foreach (var e in events)
        {
            var context = contextOf[e.CustomerId];
            if (Refusal(e, context, scope) is { } refusal)
            {
                rejected.Add((e.Index, e.Id, refusal));
                continue;
            }

            accepted.Add((e, context!));
        }

        return (accepted, rejected);
    }

    /// <summary>
    /// The batch form, on the contexts <see cref="ContextsAsync"/> read: every insert in one pipeline (its statement
    /// answers a row when the event went in), and the kept events counted together, so a batch costs a few round trips,
    /// not a few per event.
    /// </summary>
    public async Task<TrackResult> TrackManyAsync(BatchScope scope, IReadOnlyList<T> events, IReadOnlyDictionary<string, EntitlementContext?> contextOf,
        Func<T, EntitlementContext, BatchScope, PlannedStatement> insert, Func<BatchScope, IReadOnlyList<(T Event, EntitlementContext Context)>, Task> countAsync)
    {
        var (candidates, rejected) = Screen(scope, events, contextOf);
        var went = await scope.PipelineAsync([.. candidates.Select(c => insert(c.Event, c.Context, scope))]);
        var kept = candidates.Where((_, i) => went[i] is not null).ToList();
        await countAsync(scope, kept);
        return new TrackResult(kept.Count, [.. candidates.Where((_, i) => went[i] is null).Select(c => c.Event.Id)], rejected);
    }

    /// <summary>
    /// One event after another: <paramref name="keepAsync"/> keeps an event of the context's customer under its id and
    /// counts it, and answers false for a duplicate (kept before, counted nothing).
    /// </summary>
    public async Task<TrackResult> TrackAsync(BatchScope scope, IReadOnlyList<T> events, Func<T, EntitlementContext, BatchScope, Task<bool>> keepAsync)
    {
        var accepted = 0;
        var duplicates = new List<T>();
        var rejected = new List<(int, string?, string)>();
        foreach (var e in events)
        {
            var context = await contexts.LoadAsync(scope, e.CustomerId);
            if (Refusal(e, context, scope) is { } refusal)
            {
                rejected.Add((e.Index, e.Id, refusal));
                continue;
            }

            if (!await keepAsync(e, context!, scope))
            {
                duplicates.Add(e);
                continue;
            }

            accepted++;
        }

        // Answered in the request's order, whatever order they were counted in.
        return new TrackResult(accepted, [.. duplicates.OrderBy(d => d.Index).Select(d => d.Id)], [.. rejected.OrderBy(r => r.Item1)]);
    }
}
