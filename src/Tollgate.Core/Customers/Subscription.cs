using Tollgate.Core.Catalog;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Customers;

public enum SubscriptionStatus
{
    Trialing,
    Active,
    PastDue,
    Canceled,
    Incomplete,
}

/// <summary>How an invoice gets paid: by Stripe automatically, or by the customer against an invoice with a due date.</summary>
public enum CollectionMethod
{
    SendInvoice,
    ChargeAutomatically,
}

/// <summary>
/// A price in minor units that replaces the catalog's for one plan version and billing period: an experiment's variant,
/// or a negotiated deal with the operator's <see cref="Note"/>.
/// </summary>
public sealed record PriceOverride(long PriceCents, string PlanVersionId, BillingInterval BillingPeriod, string? Note = null);

/// <summary>A customer on a plan version, billed per anniversary period from <see cref="AnchorAt"/>.</summary>
public sealed record Subscription
{
    /// <summary>Statuses that hold the one live subscription a customer may have.</summary>
    public static readonly IReadOnlyList<SubscriptionStatus> LiveStatuses =
        [SubscriptionStatus.Trialing, SubscriptionStatus.Active, SubscriptionStatus.PastDue, SubscriptionStatus.Incomplete];

    public required string Id { get; init; }
    public required string CustomerId { get; init; }
    public required string PlanCode { get; init; }
    public required string PlanVersionId { get; init; }
    public required BillingInterval BillingPeriod { get; init; }
    public required SubscriptionStatus Status { get; init; }

    /// <summary>The ISO 4217 currency it is sold and invoiced in: one of its plan's; empty means the plan's default.</summary>
    public string Currency { get; init; } = "";

    /// <summary>Paid periods are anchor + n intervals; a trial's end is the anchor of the first paid period.</summary>
    public required DateTimeOffset AnchorAt { get; init; }
    public required DateTimeOffset CurrentPeriodStart { get; init; }
    public required DateTimeOffset CurrentPeriodEnd { get; init; }
    public DateTimeOffset? TrialStartAt { get; init; }
    public DateTimeOffset? TrialEndAt { get; init; }
    public bool CancelAtPeriodEnd { get; init; }
    public DateTimeOffset? CanceledAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>A change that takes effect when the current period ends (a downgrade, by default).</summary>
    public string? PendingPlanVersionId { get; init; }
    public BillingInterval? PendingBillingPeriod { get; init; }
    public DateTimeOffset? PastDueSince { get; init; }

    /// <summary>Why a past-due subscription is past due, or that its grace ran out.</summary>
    public string? DunningState { get; init; }
    public CollectionMethod CollectionMethod { get; init; } = CollectionMethod.SendInvoice;
    public int DaysUntilDue { get; init; } = 30;
    public string? StripeSubscriptionId { get; init; }

    /// <summary>A price sold in place of the catalog's (an experiment's variant), kept at renewal while the plan version and period stay.</summary>
    public PriceOverride? PriceOverride { get; init; }

    /// <summary>Seats bought on a per-seat price (null otherwise); a reduction waits in <see cref="PendingSeats"/> for the period end.</summary>
    public int? Seats { get; init; }
    public int? PendingSeats { get; init; }

    /// <summary>Why it was canceled (one of <see cref="CancellationReasons.All"/>) and what the customer said; null until canceled.</summary>
    public string? CancelReason { get; init; }
    public string? CancelComment { get; init; }

    /// <summary>Bumped by every write; writes are conditional on it, so two workers never apply one transition twice.</summary>
    public long Revision { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public bool IsLive => LiveStatuses.Contains(Status);

    /// <summary>
    /// The instant from which its invoices bill usage: when it was made here; for one Stripe made before its sync reached
    /// Tollgate (a webhook minutes late, a subscription imported), the start Stripe gave its trial or current period, when
    /// earlier. Usage dated between Stripe's start and the sync was refused as dated before the subscription began.
    /// </summary>
    public DateTimeOffset BillsUsageFrom =>
        StripeSubscriptionId is null ? CreatedAt : Earliest(Earliest(CreatedAt, CurrentPeriodStart), TrialStartAt ?? CreatedAt);

    // Read per event of a batch: two comparisons, where an array and Min allocated on each.
    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    /// <summary>Whether a change to <paramref name="planVersionId"/> at <paramref name="interval"/> would change nothing: already on it, with no change scheduled.</summary>
    public bool AlreadyOn(string planVersionId, BillingInterval interval) =>
        PlanVersionId == planVersionId && BillingPeriod == interval && PendingPlanVersionId is null;

    public BillingPeriod CurrentPeriod => new(CurrentPeriodStart, CurrentPeriodEnd);

    /// <summary>
    /// The price paid on <paramref name="version"/> for the whole subscription: the catalog's, or the override when it was
    /// sold for that version and period, times the seats when it is per seat.
    /// </summary>
    public PlanPrice? PriceOn(PlanVersion version, BillingInterval? period = null)
    {
        var interval = period ?? BillingPeriod;
        var price = version.Terms.Price(interval, Currency);
        var paid = price is not null && PriceOverride is { } o && o.PlanVersionId == version.Id && o.BillingPeriod == interval
            ? price with { PriceCents = o.PriceCents, StripePriceId = null }
            : price;
        // A per-seat price (or a deal on one) is per seat: the subscription pays it for every seat it holds.
        return paid is { PerSeat: true } ? paid with { PriceCents = paid.PriceCents * SeatsOn(paid) } : paid;
    }

    /// <summary>The seats paid for on <paramref name="price"/>: the subscription's, at least the price's included seats; 1 when not per seat.</summary>
    public int SeatsOn(PlanPrice price) => price.PerSeat ? Math.Max(Seats ?? price.IncludedSeats, price.IncludedSeats) : 1;

    /// <summary>
    /// The terms this subscription's overage is billed on: priced in its currency, with per-seat limits multiplied by the
    /// seats it holds now, the seats its entitlements counted against (a removal waiting in <see cref="PendingSeats"/> is not yet).
    /// </summary>
    public PlanVersion OverageTermsOn(PlanVersion version) => version.OverageIn(Currency).ForSeats(Seats);

    /// <summary>
    /// The terms a window already billed past <paramref name="billedQuota"/> is re-rated on: the seats that quota was
    /// multiplied by then, whatever the subscription holds now; today's seats when the quota was not kept (null).
    /// </summary>
    public PlanVersion OverageTermsBilled(PlanVersion version, string feature, long? billedQuota)
    {
        var terms = version.OverageIn(Currency);
        return billedQuota is { } quota && terms.Terms.Features.FirstOrDefault(f => f.FeatureCode == feature) is { PerSeat: true, MonthlyQuota: > 0 and var each }
            && quota % each == 0 && quota / each is > 0 and <= int.MaxValue
            ? terms.ForSeats((int)(quota / each))
            : terms.ForSeats(Seats);
    }

    /// <summary>The usage period holding <paramref name="instant"/>: the trial, or an anniversary period from the anchor.</summary>
    public BillingPeriod PeriodAt(DateTimeOffset instant)
    {
        if (Status == SubscriptionStatus.Trialing && TrialEndAt is { } trialEnd && instant < trialEnd)
        {
            return new BillingPeriod(TrialStartAt ?? CurrentPeriodStart, trialEnd);
        }

        return Periods.BillingPeriod.Containing(AnchorAt, BillingPeriod, instant);
    }

    /// <summary>
    /// The subscription with a cancel's feedback: a reason replaces reason and comment as a pair (the old comment was said
    /// of the old reason), a comment alone replaces the comment, and a cancel that gives neither keeps what an earlier one gave.
    /// </summary>
    public Subscription WithCancelFeedback(string? reason, string? comment) =>
        reason is not null ? this with { CancelReason = reason, CancelComment = comment }
        : comment is not null ? this with { CancelComment = comment }
        : this;

    /// <summary>Whether the plan's entitlements apply at <paramref name="now"/>: trialing, active, or past due within its grace.</summary>
    public bool GivesEntitlements(DateTimeOffset now, TimeSpan grace) => Status switch
    {
        SubscriptionStatus.Trialing or SubscriptionStatus.Active => true,
        SubscriptionStatus.PastDue => PastDueSince is not { } since || now < since + grace,
        _ => false,
    };
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

    public static string ToWire(this CollectionMethod method) => method == CollectionMethod.SendInvoice ? "send_invoice" : "charge_automatically";

    public static CollectionMethod ParseCollection(string text) =>
        text == "charge_automatically" ? CollectionMethod.ChargeAutomatically : CollectionMethod.SendInvoice;
}
