using System.Globalization;
using Tollgate.Core.Catalog;

namespace Tollgate.Core.Billing;

/// <summary>Why a subscription cannot hold the seats asked for: <see cref="Error"/> is the problem's error code.</summary>
public sealed record SeatRefusal(string Error, string Detail);

/// <summary>The one seat check, shared by the API's seat changes, Stripe's seat path and the store's write under the customer's lock.</summary>
public static class SeatRules
{
    /// <summary>The refusal of <paramref name="seats"/> on <paramref name="price"/> with <paramref name="members"/> members holding seats, or null.</summary>
    public static SeatRefusal? Check(string planCode, PlanPrice price, int seats, long members) => seats switch
    {
        _ when !price.PerSeat => new SeatRefusal("not_per_seat", $"Plan '{planCode}' is not sold per seat."),
        _ when seats < price.IncludedSeats || seats > (price.MaxSeats ?? int.MaxValue) => new SeatRefusal("seats_out_of_range",
            $"Plan '{planCode}' sells from {price.IncludedSeats} to {price.MaxSeats?.ToString(CultureInfo.InvariantCulture) ?? "any number of"} seats."),
        _ when seats < members => new SeatRefusal("seats_in_use", $"{members} members hold seats; remove members before going down to {seats} seats."),
        _ => null,
    };
}
