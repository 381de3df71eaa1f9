using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;

namespace Tollgate.Core.Billing;

/// <summary>
/// A change of seats on a per-seat price. Adding seats is immediate by default, charging the added seats for the rest of
/// the period; removing seats waits for the period end by default, or is immediate with a credit for the removed ones.
/// </summary>
public static class SeatChange
{
    public static PlanChangeResult Apply(
        Subscription subscription, PlanVersion version, int seats, ChangeTiming? effective, ProrationBehavior proration, DateTimeOffset now)
    {
        var current = subscription.Seats ?? 1;
        var adding = seats > current;
        var timing = effective ?? (adding ? ChangeTiming.Immediate : ChangeTiming.PeriodEnd);
        if (timing == ChangeTiming.PeriodEnd)
        {
            var scheduled = subscription with { PendingSeats = seats == current ? null : seats, UpdatedAt = now };
            return new PlanChangeResult(scheduled, timing, subscription.CurrentPeriodEnd, adding, [], []);
        }

        var changed = subscription with { Seats = seats, PendingSeats = null, UpdatedAt = now };
        if (subscription.Status == SubscriptionStatus.Trialing || proration == ProrationBehavior.None || seats == current)
        {
            return new PlanChangeResult(changed, timing, now, adding, [], []);
        }

        // The seat price as sold (a deal's, when the subscription has one), for the seats added or removed.
        var seatPrice = (subscription with { Seats = 1 }).PriceOn(version with { Terms = OneSeat(version.Terms) })!;
        var delta = seats - current;
        var period = subscription.CurrentPeriod;
        var amount = Proration.Remaining(seatPrice.PriceCents * Math.Abs(delta), period, now);
        // The seats as the quantity, as Stripe's line for a quantity change shows them. The amount is prorated once for all
        // of them, so a seat's share is a unit price only when it is a whole number of cents; otherwise it is 0 (blank).
        var signed = adding ? amount : -amount;
        var seatsChanged = Math.Abs(delta);
        var line = new InvoiceLine(adding ? InvoiceLineKind.ProrationCharge : InvoiceLineKind.ProrationCredit,
            $"{(adding ? "Added" : "Removed")} {seatsChanged} {(seatsChanged == 1 ? "seat" : "seats")} on {version.PlanCode} for the rest of the period",
            signed, seatsChanged, signed % seatsChanged == 0 ? signed / seatsChanged : 0, now, period.End, version.PlanCode, version.Id);
        return new PlanChangeResult(changed, timing, now, adding, [line], []);
    }

    // One seat's price: the per-seat price without the included-seat minimum, so PriceOn gives the price of a single seat.
    private static PlanTerms OneSeat(PlanTerms terms) => terms with { Prices = [.. terms.Prices.Select(p => p with { IncludedSeats = 1 })] };
}
