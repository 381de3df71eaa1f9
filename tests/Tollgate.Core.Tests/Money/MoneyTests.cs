using Tollgate.Core.Money;

namespace Tollgate.Core.Tests.Money;

public sealed class MoneyTests
{
    [Theory]
    [InlineData(2999, "USD", "$29.99")]
    [InlineData(29900, "USD", "$299.00")]
    [InlineData(0, "USD", "$0.00")]
    [InlineData(-500, "USD", "-$5.00")]
    [InlineData(123456789, "EUR", "€1,234,567.89")]
    [InlineData(500, "JPY", "¥500")]
    [InlineData(1234, "KWD", "KWD 1.234")]
    [InlineData(1000, "XYZ", "XYZ 10.00")]
    public void MinorUnitsDisplayWithTheCurrencysSymbolAndExponent(long amount, string currency, string expected) =>
        Assert.Equal(expected, MinorUnits.Display(amount, currency));

    [Theory]
    [InlineData(5, 2, 3)]
    [InlineData(-5, 2, -3)]
    [InlineData(4, 3, 1)]
    [InlineData(5, 3, 2)]
    [InlineData(1, 2, 1)]
    [InlineData(1, 3, 0)]
    public void DivisionRoundsHalfAwayFromZero(long numerator, long denominator, long expected) =>
        Assert.Equal(expected, Rounding.DivideHalfUp(numerator, denominator));

    [Fact]
    public void DecimalPricesConvertExactlyOrNotAtAll()
    {
        Assert.True(MinorUnits.TryFromMajor(29.99m, "USD", out var cents));
        Assert.Equal(2999, cents);
        Assert.False(MinorUnits.TryFromMajor(29.999m, "USD", out _));
    }
}
