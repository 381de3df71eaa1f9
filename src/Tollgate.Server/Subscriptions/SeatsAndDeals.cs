using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;

namespace Tollgate.Server.Subscriptions;

/// <summary>The seats and the deal price a new subscription may be created with.</summary>
public static class SeatsAndDeals
{
    /// <summary>Adds the problems with <c>seats</c>, <c>price_override_cents</c> and <c>price_override_note</c> to <paramref name="errors"/>.</summary>
    public static void Check(CreateSubscriptionRequest request, PlanPrice? price, IDictionary<string, string> errors)
    {
        if (request.Seats is { } seats && price is not null)
        {
            if (!price.PerSeat)
            {
                errors["seats"] = "only applies to a per-seat price";
            }
            else if (seats < price.IncludedSeats || seats > (price.MaxSeats ?? int.MaxValue))
            {
                errors["seats"] = $"must be from {price.IncludedSeats} to {price.MaxSeats?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "any number"}";
            }
        }

        if (request.PriceOverrideCents is < 0 or > CatalogDocument.MaxPriceCents)
        {
            errors["price_override_cents"] = $"must be from 0 to {CatalogDocument.MaxPriceCents}";
        }
        else if (request.PriceOverrideCents is not null && request.VisitorId is not null)
        {
            errors["price_override_cents"] = "cannot be given with visitor_id (an experiment sets the price)";
        }

        if (request.PriceOverrideNote is { } note && (request.PriceOverrideCents is null || note.Length > 500))
        {
            errors["price_override_note"] = request.PriceOverrideCents is null ? "needs price_override_cents" : "must be at most 500 characters";
        }
    }

    /// <summary>The subscription with its seats (the included seats by default on a per-seat price) and its deal price, if any.</summary>
    public static Subscription Apply(Subscription subscription, CreateSubscriptionRequest request, PlanVersion version)
    {
        var price = version.Terms.Price(subscription.BillingPeriod, subscription.Currency)!;
        var deal = request.PriceOverrideCents is { } cents
            ? new PriceOverride(cents, version.Id, subscription.BillingPeriod, request.PriceOverrideNote)
            : subscription.PriceOverride;
        return subscription with { Seats = price.PerSeat ? request.Seats ?? price.IncludedSeats : null, PriceOverride = deal };
    }
}
