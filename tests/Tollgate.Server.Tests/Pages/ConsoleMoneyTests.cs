using Tollgate.Server.Web.Admin;

namespace Tollgate.Server.Tests.Pages;

public sealed class ConsoleMoneyTests
{
    [Theory]
    [InlineData("-11.26", "-$11.26")]
    [InlineData("1234.5", "$1,234.50")]
    [InlineData("0", "$0.00")]
    [InlineData("0.0125", "$0.0125")]
    [InlineData("0.00123456", "$0.001235")]
    [InlineData("-0.5", "-$0.50")]
    public void AmountsShowTheSignBeforeTheDollarAndOnlyTheDecimalsTheyNeed(string amount, string shown) =>
        Assert.Equal(shown, ConsoleMoney.Usd(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void OtherCurrenciesPutTheSignFirstAndTheCodeLast() => Assert.Equal("-11.26 EUR", ConsoleMoney.In(-11.26m, "EUR"));
}
