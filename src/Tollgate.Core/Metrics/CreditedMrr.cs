namespace Tollgate.Core.Metrics;

/// <summary>
/// A credit note on a subscription's recurring fee, as MRR sees it: the revenue share it credited (net of inclusive tax,
/// as revenue counts it), over the service period of the invoice line it credits.
/// </summary>
public sealed record MrrCredit(string SubscriptionId, string? PlanCode, DateTimeOffset From, DateTimeOffset To, long AmountCents)
{
    public bool InForceAt(DateTimeOffset at) => at >= From && at < To;
}

/// <summary>
/// Lowers subscription states by the credit notes on their recurring fees, as a discount lowers them: over the credited
/// line's service period the subscription's price per period is its price less what was credited for that period (never
/// below 0), and the period's start and end become states of their own, so a credited month is a contraction and its end
/// an expansion. Proration and usage lines are one-off and never in MRR, so credits on them leave MRR alone.
/// </summary>
public static class CreditedMrr
{
    public static IReadOnlyList<SubscriptionState> Apply(IReadOnlyList<SubscriptionState> states, IReadOnlyList<MrrCredit> credits, DateTimeOffset to)
    {
        var bySubscription = credits.Where(c => c.AmountCents > 0 && c.To > c.From).ToLookup(c => c.SubscriptionId, StringComparer.Ordinal);
        if (bySubscription.Count == 0)
        {
            return states;
        }

        var result = new List<SubscriptionState>(states.Count);
        foreach (var history in states.GroupBy(s => s.SubscriptionId, StringComparer.Ordinal))
        {
            var own = bySubscription[history.Key].ToList();
            var all = history.ToList();
            foreach (var at in own.SelectMany(c => new[] { c.From, c.To }).Where(b => b < to).Distinct())
            {
                // The state in force at the boundary, again at the boundary: not a trial ending, so it counts no conversion.
                if (history.LastOrDefault(s => s.At <= at) is { } before)
                {
                    all.Add(before with { At = at, WasTrial = false, Reason = "credit_note" });
                }
            }

            result.AddRange(all.Select(s => Net(s, own)));
        }

        return [.. result.OrderBy(s => s.At)];
    }

    /// <summary>
    /// One state as MRR counts it at its own instant: its price less the credits in force then on its subscription's
    /// recurring fee. The plans list's MRR of now reads live subscriptions, not the history, and takes credits by this rule.
    /// </summary>
    public static SubscriptionState At(SubscriptionState state, IEnumerable<MrrCredit> credits) =>
        Net(state, [.. credits.Where(c => c.SubscriptionId == state.SubscriptionId && c.AmountCents > 0 && c.To > c.From)]);

    private static SubscriptionState Net(SubscriptionState state, IReadOnlyList<MrrCredit> credits)
    {
        var credited = credits.Where(c => c.InForceAt(state.At) && (c.PlanCode is null || c.PlanCode == state.PlanCode)).Sum(c => c.AmountCents);
        return credited == 0 ? state : state with { PriceCents = Math.Max(0, state.PriceCents - credited) };
    }
}
