namespace Tollgate.Core.Metrics;

/// <summary>The figures a founder reads every Monday, for one window, with a monthly series for charts.</summary>
public sealed record SaasReport(
    MrrWindow Window,
    IReadOnlyList<MrrWindow> Months,
    decimal? LogoChurnRate,
    decimal? GrossMrrChurnRate,
    decimal? NetMrrChurnRate,
    decimal? ArpaMinor,
    decimal? LtvMinor,
    int TrialsEnded,
    int TrialsConverted,
    decimal? TrialConversionRate,
    int Upgrades,
    int Downgrades,
    decimal? QuickRatio,
    IReadOnlyList<string> Unconverted)
{
    /// <summary>The report in the policy's currency alone; subscriptions in other currencies are left out.</summary>
    public static SaasReport Build(IReadOnlyList<SubscriptionState> states, MetricsPolicy policy, DateTimeOffset from, DateTimeOffset to) =>
        Build(states, policy, from, to, ReportingRates.Only(policy.Currency));

    /// <summary>The report in <paramref name="rates"/>' reporting currency, every currency with a rate converted (see <see cref="CurrencyMrr"/>).</summary>
    public static SaasReport Build(
        IReadOnlyList<SubscriptionState> states, MetricsPolicy policy, DateTimeOffset from, DateTimeOffset to, ReportingRates rates)
    {
        var ledger = new CurrencyMrr(states, policy, rates);
        var window = ledger.Window(from, to);
        var months = MonthsOf(from, to).Select(m => ledger.Window(m.Start, m.End)).ToList();
        decimal? Rate(decimal numerator, decimal denominator) => denominator == 0 ? null : numerator / denominator;
        var m = window.MovementTwelfths;
        var lost = -(m[MovementKind.Churn] + m[MovementKind.Contraction]);
        var won = m[MovementKind.Expansion] + m[MovementKind.Reactivation];
        var arpa = window.PayingAtEnd == 0 ? (decimal?)null : window.EndTwelfths / 12m / window.PayingAtEnd;

        // LTV divides by a monthly logo churn rate: the average over the window's months that started with paying customers.
        var monthlyChurn = months.Where(w => w.PayingAtStart > 0).Select(w => (decimal)w.ChurnedCustomers / w.PayingAtStart).ToList();
        var averageChurn = monthlyChurn.Count == 0 ? (decimal?)null : monthlyChurn.Average();
        var ltv = arpa is { } a && averageChurn is > 0 ? a / averageChurn.Value : (decimal?)null;

        var trials = TrialOutcomes(states, from, to);
        var (upgrades, downgrades) = PlanChanges([.. states.Where(s => rates.CanConvert(s.Currency))], policy, from, to);
        var quickNumerator = m[MovementKind.New] + m[MovementKind.Expansion] + (policy.QuickRatioIncludesReactivation ? m[MovementKind.Reactivation] : 0);
        return new SaasReport(window, months,
            Rate(window.ChurnedCustomers, window.PayingAtStart),
            Rate(lost, window.StartTwelfths),
            Rate(lost - won, window.StartTwelfths),
            arpa,
            ltv,
            trials.Ended,
            trials.Converted,
            Rate(trials.Converted, trials.Ended),
            upgrades,
            downgrades,
            Rate(quickNumerator, lost),
            ledger.Unconverted);
    }

    /// <summary>Calendar months (UTC) covering [from, to), the first and last cut to the window.</summary>
    public static IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> MonthsOf(DateTimeOffset from, DateTimeOffset to)
    {
        var start = from.ToUniversalTime();
        while (start < to)
        {
            var next = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            var end = next < to ? next : to;
            yield return (start, end);
            start = end;
        }
    }

    /// <summary>Trials that ended in the window (converted, canceled at their end, or canceled during the trial) and how many converted.</summary>
    private static (int Ended, int Converted) TrialOutcomes(IReadOnlyList<SubscriptionState> states, DateTimeOffset from, DateTimeOffset to)
    {
        var ended = states.Where(s => s.At >= from && s.At < to && s.WasTrial && s.Status != Customers.SubscriptionStatus.Trialing).ToList();
        return (ended.Count, ended.Count(s => s.Status is Customers.SubscriptionStatus.Active or Customers.SubscriptionStatus.PastDue));
    }

    /// <summary>Plan or billing-period changes that took effect in the window and raised (upgrade) or lowered (downgrade) MRR.</summary>
    private static (int Upgrades, int Downgrades) PlanChanges(
        IReadOnlyList<SubscriptionState> states, MetricsPolicy policy, DateTimeOffset from, DateTimeOffset to)
    {
        var upgrades = 0;
        var downgrades = 0;
        foreach (var history in states.GroupBy(s => s.SubscriptionId))
        {
            SubscriptionState? previous = null;
            foreach (var state in history.OrderBy(s => s.At).ThenBy(s => s.Sequence))
            {
                var changedTerms = previous is not null && (previous.PlanVersionId != state.PlanVersionId || previous.BillingPeriod != state.BillingPeriod);
                if (changedTerms && state.At >= from && state.At < to && previous!.Status != Customers.SubscriptionStatus.Trialing)
                {
                    // Each state against its own currency: a change's direction does not depend on a rate.
                    var delta = (policy with { Currency = state.Currency }).MrrTwelfths(state)
                        - (policy with { Currency = previous.Currency }).MrrTwelfths(previous with { CancelAtPeriodEnd = state.CancelAtPeriodEnd });
                    upgrades += delta > 0 ? 1 : 0;
                    downgrades += delta < 0 ? 1 : 0;
                }

                previous = state;
            }
        }

        return (upgrades, downgrades);
    }
}
