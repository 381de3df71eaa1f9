using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Periods;

namespace Tollgate.Core.Billing;

public enum ChangeTiming
{
    Immediate,
    PeriodEnd,
}

public enum ProrationBehavior
{
    CreateProrations,
    None,

    /// <summary>The prorations as CreateProrations makes them, invoiced at once (with the pending items), as Stripe's always_invoice.</summary>
    AlwaysInvoice,
}

/// <summary>The wire names of <see cref="ProrationBehavior"/>, as Stripe spells them.</summary>
public static class ProrationBehaviors
{
    public const string Expected = "must be create_prorations, always_invoice or none";

    public static bool TryParse(string? text, out ProrationBehavior proration)
    {
        (var known, proration) = text switch
        {
            "create_prorations" => (true, ProrationBehavior.CreateProrations),
            "always_invoice" => (true, ProrationBehavior.AlwaysInvoice),
            "none" => (true, ProrationBehavior.None),
            _ => (false, ProrationBehavior.CreateProrations),
        };
        return known;
    }
}

/// <summary>
/// The outcome of a plan change, before it is stored: the new subscription, the proration lines for the next invoice,
/// and, when the billing period itself changed, the lines of an invoice due now for the new period.
/// </summary>
public sealed record PlanChangeResult(
    Subscription Subscription,
    ChangeTiming Effective,
    DateTimeOffset EffectiveAt,
    bool IsUpgrade,
    IReadOnlyList<InvoiceLine> PendingLines,
    IReadOnlyList<InvoiceLine> InvoiceNowLines);

public static class PlanChange
{
    /// <summary>A price per month in twelfths of a minor unit, so monthly and yearly prices compare exactly.</summary>
    public static long MonthlyTwelfths(PlanPrice price) => price.BillingPeriod == BillingInterval.Monthly ? price.PriceCents * 12 : price.PriceCents;

    /// <summary>
    /// Changes the plan. An upgrade (a higher price per month) takes effect at once by default: the unused time of the
    /// old price is credited and the remaining time of the new one charged, by the second. A downgrade waits for the
    /// period end. A change of billing period starts a new period now, invoiced at once. During a trial nothing was
    /// paid, so the plan simply changes. A change back to the plan version and period the subscription is on only drops
    /// the change scheduled for the period end: the price does not change, so nothing is prorated (as Stripe bills
    /// nothing for an unchanged price).
    /// </summary>
    public static PlanChangeResult Apply(
        Subscription subscription, PlanVersion from, PlanVersion to, BillingInterval interval, ChangeTiming? effective,
        ProrationBehavior proration, DateTimeOffset now)
    {
        if (to.Id == subscription.PlanVersionId && interval == subscription.BillingPeriod)
        {
            var kept = subscription with { PendingPlanVersionId = null, PendingBillingPeriod = null, UpdatedAt = now };
            return new PlanChangeResult(kept, ChangeTiming.Immediate, now, IsUpgrade: false, [], []);
        }

        var fromPrice = subscription.PriceOn(from)
            ?? throw new InvalidOperationException($"{from.Id} has no {subscription.BillingPeriod} price");
        var toPrice = to.Terms.Price(interval, subscription.Currency)
            ?? throw new InvalidOperationException($"{to.Id} has no {interval} price in {subscription.Currency}");
        // Seats carry over to a per-seat plan (at least its included seats); a plan not sold per seat has none.
        int? seats = toPrice.PerSeat ? Math.Max(subscription.PendingSeats ?? subscription.Seats ?? toPrice.IncludedSeats, toPrice.IncludedSeats) : null;
        toPrice = toPrice with { PriceCents = toPrice.PriceCents * (seats ?? 1) };
        var upgrade = MonthlyTwelfths(toPrice) >= MonthlyTwelfths(fromPrice);
        var timing = effective ?? (upgrade ? ChangeTiming.Immediate : ChangeTiming.PeriodEnd);
        var changed = subscription with
        {
            PlanCode = to.PlanCode,
            PlanVersionId = to.Id,
            BillingPeriod = interval,
            PendingPlanVersionId = null,
            PendingBillingPeriod = null,
            Seats = seats,
            PendingSeats = null,
            UpdatedAt = now,
        };

        if (subscription.Status == SubscriptionStatus.Trialing)
        {
            return new PlanChangeResult(changed, ChangeTiming.Immediate, now, upgrade, [], []);
        }

        if (timing == ChangeTiming.PeriodEnd)
        {
            var scheduled = subscription with { PendingPlanVersionId = to.Id, PendingBillingPeriod = interval, UpdatedAt = now };
            return new PlanChangeResult(scheduled, timing, subscription.CurrentPeriodEnd, upgrade, [], []);
        }

        var period = subscription.CurrentPeriod;
        var credit = proration != ProrationBehavior.None
            ? [UnusedTimeCredit(from, fromPrice, period, now)]
            : Array.Empty<InvoiceLine>();

        if (interval == subscription.BillingPeriod)
        {
            var charge = proration != ProrationBehavior.None
                ? [Line(InvoiceLineKind.ProrationCharge, $"Remaining time on {to.PlanCode} ({interval.ToWire()})",
                    Proration.Remaining(toPrice.PriceCents, period, now), now, period.End, to)]
                : Array.Empty<InvoiceLine>();
            return new PlanChangeResult(changed, timing, now, upgrade, [.. credit, .. charge], []);
        }

        // A new billing period starts now (as Stripe resets the anchor), so its fee is due now.
        var next = BillingPeriod.Nth(now, interval, 0);
        var restarted = changed with { AnchorAt = now, CurrentPeriodStart = next.Start, CurrentPeriodEnd = next.End };
        var recurring = Recurring(to, toPrice, next, seats ?? 1);
        return new PlanChangeResult(restarted, timing, now, upgrade, [], [.. credit, recurring]);
    }

    /// <summary>The period's fee; <paramref name="price"/> is the whole price, shown as <paramref name="seats"/> × the seat price when per seat.</summary>
    public static InvoiceLine Recurring(PlanVersion version, PlanPrice price, BillingPeriod period, int seats = 1) =>
        new(InvoiceLineKind.Recurring, $"{version.PlanCode} ({price.BillingPeriod.ToWire()}){(price.PerSeat ? $", {seats} {(seats == 1 ? "seat" : "seats")}" : "")}", price.PriceCents,
            price.PerSeat ? seats : 1, price.PerSeat ? price.PriceCents / seats : price.PriceCents, period.Start, period.End, version.PlanCode, version.Id);

    /// <summary>The credit for <paramref name="period"/> after <paramref name="now"/>, on a plan change or an immediate cancel.</summary>
    public static InvoiceLine UnusedTimeCredit(PlanVersion version, PlanPrice price, BillingPeriod period, DateTimeOffset now) =>
        Line(InvoiceLineKind.ProrationCredit, $"Unused time on {version.PlanCode} ({price.BillingPeriod.ToWire()})",
            -Proration.Remaining(price.PriceCents, period, now), now, period.End, version);

    // Quantity 1 at the amount, so a printed invoice shows the unit price next to the amount, as for a recurring line.
    private static InvoiceLine Line(InvoiceLineKind kind, string description, long amount, DateTimeOffset start, DateTimeOffset end, PlanVersion version) =>
        new(kind, description, amount, 1, amount, start, end, version.PlanCode, version.Id);
}
