namespace Tollgate.Core.Metrics;

/// <summary>A cancellation as the churn report sees it: who, when it was asked for and took effect, and why.</summary>
public sealed record Cancellation(string CustomerId, DateTimeOffset CanceledAt, DateTimeOffset? EndedAt, string? Reason);

/// <summary>Churned customers and the MRR they took, for one reason.</summary>
public sealed record ChurnByReason(string Reason, int Customers, long LostTwelfths);

/// <summary>
/// Attributes each churn movement to the cancellation behind it: the customer's latest cancel requested at or before the
/// churn and not ended before it. A cancel without a reason is "unspecified"; churn with no cancel at all (a move to a
/// free plan, a subscription ended for non-payment without a cancel) is "not_canceled".
/// </summary>
public static class ChurnReasons
{
    public const string Unspecified = "unspecified";
    public const string NotCanceled = "not_canceled";

    public static IReadOnlyList<ChurnByReason> Break(IEnumerable<MrrMovement> movements, IEnumerable<Cancellation> cancellations)
    {
        var byCustomer = cancellations.ToLookup(c => c.CustomerId, StringComparer.Ordinal);
        return [.. movements.Where(m => m.Kind == MovementKind.Churn)
            .Select(m => (Reason: ReasonOf(m, byCustomer[m.CustomerId]), m.CustomerId, Lost: m.DeltaTwelfths))
            .GroupBy(x => x.Reason, StringComparer.Ordinal)
            .Select(g => new ChurnByReason(g.Key, g.Select(x => x.CustomerId).Distinct(StringComparer.Ordinal).Count(), g.Sum(x => x.Lost)))
            .OrderBy(r => r.LostTwelfths).ThenBy(r => r.Reason, StringComparer.Ordinal)];
    }

    private static string ReasonOf(MrrMovement churn, IEnumerable<Cancellation> cancellations) =>
        cancellations.Where(c => c.CanceledAt <= churn.At && (c.EndedAt is null || c.EndedAt >= churn.At))
            .OrderByDescending(c => c.CanceledAt).FirstOrDefault() is { } cause
            ? cause.Reason ?? Unspecified
            : NotCanceled;
}
