using System.Globalization;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.Payments;

/// <summary>The quantity a checkout asks Stripe for: the seats on a per-seat price, 1 otherwise.</summary>
public static class CheckoutSeats
{
    public static string? Problem(int? seats, PlanPrice price) => seats switch
    {
        null => null,
        _ when !price.PerSeat => "only applies to a per-seat price",
        { } n when n < price.IncludedSeats || n > (price.MaxSeats ?? int.MaxValue) =>
            $"must be from {price.IncludedSeats} to {price.MaxSeats?.ToString(CultureInfo.InvariantCulture) ?? "any number"}",
        _ => null,
    };

    public static int Quantity(int? seats, PlanPrice price) => price.PerSeat ? seats ?? price.IncludedSeats : 1;
}
