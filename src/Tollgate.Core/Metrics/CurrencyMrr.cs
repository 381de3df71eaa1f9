namespace Tollgate.Core.Metrics;

/// <summary>
/// MRR over several currencies: one ledger per currency (a customer's movements are in their own currency), each
/// currency's window converted once into the reporting currency, then added. Currencies without a rate are left out.
/// </summary>
public sealed class CurrencyMrr
{
    private static readonly MovementKind[] Order =
        [MovementKind.New, MovementKind.Expansion, MovementKind.Contraction, MovementKind.Churn, MovementKind.Reactivation];

    private readonly Dictionary<string, MrrLedger> _ledgers;

    public CurrencyMrr(IReadOnlyList<SubscriptionState> states, MetricsPolicy policy, ReportingRates rates)
    {
        // A currency counts once one of its states would carry MRR in it: a free plan's "currency" names nothing.
        var currencies = states.Where(s => (policy with { Currency = s.Currency }).MrrTwelfths(s) > 0)
            .Select(s => s.Currency).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Rates = rates;
        Unconverted = [.. currencies.Where(c => !rates.CanConvert(c))];
        _ledgers = currencies.Where(rates.CanConvert).ToDictionary(c => c, c => new MrrLedger(states, policy with { Currency = c }), StringComparer.Ordinal);
    }

    public ReportingRates Rates { get; }

    /// <summary>Currencies with MRR but no configured rate, left out of every figure.</summary>
    public IReadOnlyList<string> Unconverted { get; }

    /// <summary>Each converted currency's own window, in twelfths of its own minor unit.</summary>
    public IReadOnlyDictionary<string, MrrWindow> WindowsByCurrency(DateTimeOffset from, DateTimeOffset to) =>
        _ledgers.ToDictionary(l => l.Key, l => l.Value.Window(from, to), StringComparer.Ordinal);

    /// <summary>
    /// The window in twelfths of the reporting currency's minor unit. Each currency's running total (start, then after
    /// each kind of movement in a fixed order) is converted and rounded half away from zero once, and each converted
    /// movement is the step between those totals, so start + movements = end holds exactly after conversion too.
    /// </summary>
    public MrrWindow Window(DateTimeOffset from, DateTimeOffset to)
    {
        long start = 0;
        long end = 0;
        var sums = Order.ToDictionary(k => k, _ => 0L);
        var movements = new List<MrrMovement>();
        int payingStart = 0, payingEnd = 0, churned = 0;
        foreach (var (currency, w) in WindowsByCurrency(from, to))
        {
            long Convert(long twelfths) => Rates.Rounded(twelfths, currency)!.Value;
            var running = w.StartTwelfths;
            start += Convert(running);
            foreach (var kind in Order)
            {
                var before = Convert(running);
                running += w.MovementTwelfths[kind];
                sums[kind] += Convert(running) - before;
            }

            end += Convert(running);
            movements.AddRange(w.Movements.Select(m => m with { BeforeTwelfths = Convert(m.BeforeTwelfths), AfterTwelfths = Convert(m.AfterTwelfths) }));
            payingStart += w.PayingAtStart;
            payingEnd += w.PayingAtEnd;
            churned += w.ChurnedCustomers;
        }

        return new MrrWindow(from, to, start, end, sums, [.. movements.OrderBy(m => m.At)], payingStart, payingEnd, churned);
    }

    /// <summary>Churn by reason per currency, each reason's loss converted once per currency and added.</summary>
    public IReadOnlyList<ChurnByReason> ChurnByReason(DateTimeOffset from, DateTimeOffset to, IEnumerable<Cancellation> cancellations)
    {
        var all = cancellations.ToList();
        return [.. WindowsByCurrency(from, to)
            .SelectMany(w => ChurnReasons.Break(w.Value.Movements, all).Select(r => r with { LostTwelfths = Rates.Rounded(r.LostTwelfths, w.Key)!.Value }))
            .GroupBy(r => r.Reason, StringComparer.Ordinal)
            .Select(g => new ChurnByReason(g.Key, g.Sum(r => r.Customers), g.Sum(r => r.LostTwelfths)))
            .OrderBy(r => r.LostTwelfths).ThenBy(r => r.Reason, StringComparer.Ordinal)];
    }
}
