using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Billing;

public sealed class SeatRulesTests
{
    private static readonly PlanPrice Squad = new(BillingInterval.Monthly, 1500, "USD", 0, null, PerSeat: true, IncludedSeats: 2, MaxSeats: 10);

    [Theory]
    [InlineData(2, 0)]
    [InlineData(10, 10)]
    [InlineData(5, 5)]
    public void SeatsWithinThePricesRangeAndAtLeastTheMembersAreAllowed(int seats, long members) =>
        Assert.Null(SeatRules.Check("squad", Squad, seats, members));

    [Theory]
    [InlineData(1, 0, "seats_out_of_range")]
    [InlineData(11, 0, "seats_out_of_range")]
    [InlineData(4, 5, "seats_in_use")]
    [InlineData(11, 12, "seats_out_of_range")]
    public void SeatsOutsideTheRangeOrBelowTheMembersAreRefusedWithOneErrorEach(int seats, long members, string error) =>
        Assert.Equal(error, SeatRules.Check("squad", Squad, seats, members)?.Error);

    [Fact]
    public void APriceNotSoldPerSeatTakesNoSeatsAndTheRefusalSaysWhy()
    {
        var refusal = SeatRules.Check("pro", Squad with { PerSeat = false }, 3, 0);

        Assert.Equal(new SeatRefusal("not_per_seat", "Plan 'pro' is not sold per seat."), refusal);
        Assert.Equal("Plan 'squad' sells from 2 to 10 seats.", SeatRules.Check("squad", Squad, 1, 0)!.Detail);
    }
}
