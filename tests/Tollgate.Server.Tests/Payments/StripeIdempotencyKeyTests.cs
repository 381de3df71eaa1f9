using Tollgate.Server.Payments;

namespace Tollgate.Server.Tests.Payments;

public sealed class StripeIdempotencyKeyTests
{
    [Fact]
    public void AShortIdIsKeptReadableInTheKey() =>
        Assert.Equal("tollgate-customer-user-42", StripeIdempotencyKey.For("tollgate-customer", "user-42"));

    [Theory]
    [InlineData(237)]
    [InlineData(238)]
    [InlineData(255)]
    [InlineData(5000)]
    public void AnyIdGivesAKeyWithinStripes255CharactersTheSameEachTime(int length)
    {
        var id = new string('x', length - 1) + "1";

        var key = StripeIdempotencyKey.For("tollgate-customer", id);

        Assert.InRange(key.Length, 1, 255);
        Assert.Equal(key, StripeIdempotencyKey.For("tollgate-customer", id));
        Assert.NotEqual(key, StripeIdempotencyKey.For("tollgate-customer", new string('x', length - 1) + "2"));
    }
}
