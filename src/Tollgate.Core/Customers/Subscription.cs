using Tollgate.Core.Catalog;

namespace Tollgate.Core.Customers;

public enum SubscriptionStatus
{
    Trialing,
    Active,
    PastDue,
    Canceled,
    Incomplete,
}

/// <summary>A customer on a plan version, billed per anniversary period from <see cref="AnchorAt"/>.</summary>
public sealed record Subscription(
    string Id,
    string CustomerId,
    string PlanCode,
    string PlanVersionId,
    BillingInterval BillingPeriod,
    SubscriptionStatus Status,
    DateTimeOffset AnchorAt,
    DateTimeOffset CurrentPeriodStart,
    DateTimeOffset CurrentPeriodEnd,
    DateTimeOffset? TrialEndAt,
    bool CancelAtPeriodEnd,
    DateTimeOffset? CanceledAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Statuses that hold the one live subscription a customer may have.</summary>
    public static readonly IReadOnlyList<SubscriptionStatus> LiveStatuses =
        [SubscriptionStatus.Trialing, SubscriptionStatus.Active, SubscriptionStatus.PastDue, SubscriptionStatus.Incomplete];

    /// <summary>The usage period holding <paramref name="instant"/>: the trial, or an anniversary period from the anchor.</summary>
    public Periods.BillingPeriod PeriodAt(DateTimeOffset instant)
    {
        if (TrialEndAt is { } trialEnd && instant < trialEnd && instant >= CurrentPeriodStart && Status == SubscriptionStatus.Trialing)
        {
            return new Periods.BillingPeriod(CurrentPeriodStart, trialEnd);
        }

        return Periods.BillingPeriod.Containing(AnchorAt, BillingPeriod, instant);
    }
}

public static class SubscriptionStatusNames
{
    public static string ToWire(this SubscriptionStatus status) => status switch
    {
        SubscriptionStatus.Trialing => "trialing",
        SubscriptionStatus.Active => "active",
        SubscriptionStatus.PastDue => "past_due",
        SubscriptionStatus.Canceled => "canceled",
        _ => "incomplete",
    };

    public static SubscriptionStatus Parse(string text) => text switch
    {
        "trialing" => SubscriptionStatus.Trialing,
        "active" => SubscriptionStatus.Active,
        "past_due" => SubscriptionStatus.PastDue,
        "canceled" => SubscriptionStatus.Canceled,
        "incomplete" => SubscriptionStatus.Incomplete,
        _ => throw new ArgumentOutOfRangeException(nameof(text), text, "unknown subscription status"),
    };
}
