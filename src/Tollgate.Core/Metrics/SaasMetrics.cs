namespace Tollgate.Core.Metrics;

public enum MovementKind
{
    New,
    Expansion,
    Contraction,
    Churn,
    Reactivation,
}

/// <summary>A change of one customer's MRR at one instant (all their subscriptions' changes at that instant together).</summary>
public sealed record MrrMovement(string CustomerId, DateTimeOffset At, MovementKind Kind, long BeforeTwelfths, long AfterTwelfths)
{
    public long DeltaTwelfths => AfterTwelfths - BeforeTwelfths;
}

/// <summary>MRR over a window [From, To): what it started and ended at, and the movements between.</summary>
public sealed record MrrWindow(
    DateTimeOffset From,
    DateTimeOffset To,
    long StartTwelfths,
    long EndTwelfths,
    IReadOnlyDictionary<MovementKind, long> MovementTwelfths,
    IReadOnlyList<MrrMovement> Movements,
    int PayingAtStart,
    int PayingAtEnd,
    int ChurnedCustomers);

/// <summary>
/// Replays subscription states into each customer's MRR and classifies every change per customer (ChartMogul's
/// model): 0 → x is new, or reactivation for a customer who paid before; x → 0 is churn; up is expansion, down is
/// contraction. Because every change is exactly one movement, start + movements = end holds by construction.
/// </summary>
public sealed class MrrLedger
{
    private readonly List<MrrMovement> _movements = [];

    public MrrLedger(IEnumerable<SubscriptionState> states, MetricsPolicy policy)
    {
        var subscriptionMrr = new Dictionary<string, long>(StringComparer.Ordinal);
        var subscriptionsOf = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var customerMrr = new Dictionary<string, long>(StringComparer.Ordinal);
        var everPaid = new HashSet<string>(StringComparer.Ordinal);
        var ordered = states.OrderBy(s => s.At).ThenBy(s => s.CustomerId, StringComparer.Ordinal).ThenBy(s => s.Sequence);
        foreach (var instant in ordered.GroupBy(s => (s.At, s.CustomerId)))
        {
            var customer = instant.Key.CustomerId;
            var ids = subscriptionsOf.TryGetValue(customer, out var known) ? known : subscriptionsOf[customer] = new(StringComparer.Ordinal);
            foreach (var state in instant)
            {
                ids.Add(state.SubscriptionId);
                subscriptionMrr[state.SubscriptionId] = policy.MrrTwelfths(state);
            }

            var before = customerMrr.GetValueOrDefault(customer);
            var after = ids.Sum(id => subscriptionMrr[id]);
            customerMrr[customer] = after;
            if (after == before)
            {
                continue;
            }

            var kind = before == 0 ? everPaid.Contains(customer) ? MovementKind.Reactivation : MovementKind.New
                : after == 0 ? MovementKind.Churn
                : after > before ? MovementKind.Expansion : MovementKind.Contraction;
            _movements.Add(new MrrMovement(customer, instant.Key.At, kind, before, after));
            if (after > 0)
            {
                everPaid.Add(customer);
            }
        }
    }

    public IReadOnlyList<MrrMovement> Movements => _movements;

    /// <summary>Each customer's MRR just before <paramref name="at"/>, after every change earlier than it.</summary>
    public IReadOnlyDictionary<string, long> CustomerMrrBefore(DateTimeOffset at)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var m in _movements.TakeWhile(m => m.At < at))
        {
            totals[m.CustomerId] = m.AfterTwelfths;
        }

        return totals;
    }

    public MrrWindow Window(DateTimeOffset from, DateTimeOffset to)
    {
        var start = CustomerMrrBefore(from);
        var end = CustomerMrrBefore(to);
        var inside = _movements.Where(m => m.At >= from && m.At < to).ToList();
        var sums = Enum.GetValues<MovementKind>().ToDictionary(k => k, k => inside.Where(m => m.Kind == k).Sum(m => m.DeltaTwelfths));
        var payingStart = start.Where(c => c.Value > 0).Select(c => c.Key).ToList();
        var churned = payingStart.Count(c => end.GetValueOrDefault(c) == 0);
        return new MrrWindow(from, to, start.Values.Sum(), end.Values.Sum(), sums, inside, payingStart.Count, end.Count(c => c.Value > 0), churned);
    }
}
