using System.Globalization;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Money;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>The console's line on a subscription's seats and negotiated price, so an operator sees the deal they are looking at.</summary>
internal static class SeatsAndDeal
{
    public static string Describe(Subscription subscription, PlanVersion? version)
    {
        var price = version?.Terms.Price(subscription.BillingPeriod);
        var parts = new List<string>();
        if (subscription.Seats is { } seats)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"<span data-testid=\"seats\">{seats} seats{(subscription.PendingSeats is { } pending ? $" ({pending} from the period end)" : "")}</span>"));
        }

        if (subscription.PriceOverride is { } deal && price is not null)
        {
            parts.Add($"""<span data-testid="deal" class="badge">Deal: {E(MinorUnits.Display(deal.PriceCents, price.Currency))}{(price.PerSeat ? " a seat" : "")} instead of {E(MinorUnits.Display(price.PriceCents, price.Currency))}{(deal.Note is { } note ? " · " + E(note) : "")}</span>""");
        }

        return parts.Count == 0 ? "" : $"<p>{string.Join(" · ", parts)}</p>";
    }
}
