using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Billing;

public enum CycleKind
{
    TrialConverted,
    TrialCanceled,
    Renewed,
    EndedAtPeriodEnd,
}

/// <summary>
/// One step of a subscription's life that falls due with time. <see cref="EndedPeriod"/> and
/// <see cref="EndedVersionId"/> say which period closed and under which terms, for its overage lines.
/// </summary>
public sealed record CycleStep(
    CycleKind Kind,
    DateTimeOffset At,
    Subscription Subscription,
    IReadOnlyList<InvoiceLine> RecurringLines,
    BillingPeriod? EndedPeriod,
    string? EndedVersionId);

/// <summary>Trial ends and renewals as pure functions of the subscription and the instant.</summary>
public static class SubscriptionCycle
{
    /// <summary>The next step due at or before <paramref name="now"/>, or null when nothing is due.</summary>
    public static CycleStep? Next(
        Subscription s, DateTimeOffset now, Func<string, PlanVersion> version, bool cancelTrialWithoutPaymentMethod, bool hasPaymentMethod)
    {
        if (s.Status == SubscriptionStatus.Trialing && s.TrialEndAt is { } trialEnd && trialEnd <= now)
        {
            // A cancel at period end asked for during the trial ends it at the trial's end, before any charge.
            if ((cancelTrialWithoutPaymentMethod && !hasPaymentMethod) || s.CancelAtPeriodEnd)
            {
                var ended = s with
                {
                    Status = SubscriptionStatus.Canceled, CanceledAt = s.CanceledAt ?? trialEnd, EndedAt = trialEnd, CancelAtPeriodEnd = false,
                    UpdatedAt = trialEnd,
                };
                return new CycleStep(CycleKind.TrialCanceled, trialEnd, ended, [], null, null);
            }

            var first = BillingPeriod.Nth(trialEnd, s.BillingPeriod, 0);
            var converted = s with
            {
                Status = SubscriptionStatus.Active, AnchorAt = trialEnd, CurrentPeriodStart = first.Start, CurrentPeriodEnd = first.End,
                UpdatedAt = trialEnd,
            };
            return new CycleStep(CycleKind.TrialConverted, trialEnd, converted, RecurringFor(converted, version, first), null, null);
        }

        if (s.Status is not (SubscriptionStatus.Active or SubscriptionStatus.PastDue) || s.CurrentPeriodEnd > now)
        {
            return null;
        }

        var boundary = s.CurrentPeriodEnd;
        var endedPeriod = s.CurrentPeriod;
        if (s.CancelAtPeriodEnd)
        {
            var ended = s with { Status = SubscriptionStatus.Canceled, EndedAt = boundary, CancelAtPeriodEnd = false, UpdatedAt = boundary };
            return new CycleStep(CycleKind.EndedAtPeriodEnd, boundary, ended, [], endedPeriod, s.PlanVersionId);
        }

        var interval = s.PendingBillingPeriod ?? s.BillingPeriod;
        var anchor = interval == s.BillingPeriod ? s.AnchorAt : boundary;
        var next = BillingPeriod.Containing(anchor, interval, boundary);
        var renewed = s with
        {
            PlanVersionId = s.PendingPlanVersionId ?? s.PlanVersionId,
            PlanCode = s.PendingPlanVersionId is { } pending ? version(pending).PlanCode : s.PlanCode,
            BillingPeriod = interval,
            AnchorAt = anchor,
            CurrentPeriodStart = next.Start,
            CurrentPeriodEnd = next.End,
            PendingPlanVersionId = null,
            PendingBillingPeriod = null,
            Seats = SeatsAfter(s, version(s.PendingPlanVersionId ?? s.PlanVersionId).Terms.Price(interval, s.Currency)),
            PendingSeats = null,
            UpdatedAt = boundary,
        };
        return new CycleStep(CycleKind.Renewed, boundary, renewed, RecurringFor(renewed, version, next), endedPeriod, s.PlanVersionId);
    }

    private static IReadOnlyList<InvoiceLine> RecurringFor(Subscription s, Func<string, PlanVersion> version, BillingPeriod period)
    {
        var terms = version(s.PlanVersionId);
        var price = s.PriceOn(terms);
        return price is { PriceCents: > 0 } ? [PlanChange.Recurring(terms, price, period, s.SeatsOn(price))] : [];
    }

    /// <summary>A seat reduction waiting for the period end takes effect at renewal; a plan not sold per seat has no seats.</summary>
    private static int? SeatsAfter(Subscription s, PlanPrice? price) =>
        price is { PerSeat: true } ? Math.Max(s.PendingSeats ?? s.Seats ?? price.IncludedSeats, price.IncludedSeats) : null;
}
