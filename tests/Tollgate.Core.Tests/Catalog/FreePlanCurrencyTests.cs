using Tollgate.Core.Catalog;
using Tollgate.Core.Money;

namespace Tollgate.Core.Tests.Catalog;

/// <summary>A plan whose every price is 0 is free in every currency, not only in those it lists (issue 33).</summary>
public sealed class FreePlanCurrencyTests
{
    private static readonly PlanTerms Free = new([new PlanPrice(BillingInterval.Monthly, 0, "USD", 0, "price_free")], [], null);

    private static readonly PlanTerms Pro = new(
        [new PlanPrice(BillingInterval.Monthly, 2900, "USD", 0, null), new PlanPrice(BillingInterval.Monthly, 2700, "EUR", 0, null)], [], null);

    [Fact]
    public void AFreePlanPricedInDollarsCostsZeroInEurosLinkedToNoStripePrice()
    {
        var price = Free.Price(BillingInterval.Monthly, "EUR");

        Assert.Equal(new PlanPrice(BillingInterval.Monthly, 0, "EUR", 0, null), price);
        Assert.True(Free.Offers("EUR"));
        Assert.Equal(["USD"], Free.Currencies);
    }

    [Fact]
    public void AFreePlanShownInEurosListsItsPeriodsAtZeroInEuros() =>
        Assert.Equal([new PlanPrice(BillingInterval.Monthly, 0, "EUR", 0, null)], Free.InCurrency("EUR").Prices);

    [Fact]
    public void APaidPlanOffersOnlyTheCurrenciesItPrices()
    {
        Assert.False(Pro.IsFree);
        Assert.False(Pro.Offers("GBP"));
        Assert.Null(Pro.Price(BillingInterval.Monthly, "GBP"));
        Assert.Empty(Pro.InCurrency("GBP").Prices);
        Assert.Equal(2700, Pro.Price(BillingInterval.Monthly, "EUR")!.PriceCents);
    }

    [Fact]
    public void APlanWithoutPricesIsNotFreeInEveryCurrency() =>
        Assert.False(new PlanTerms([], [], null).Offers("EUR"));

    [Theory]
    [InlineData("eur", "EUR")]
    [InlineData("EUR", "EUR")]
    [InlineData("Gbp", "GBP")]
    [InlineData("euro", null)]
    [InlineData("e1r", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void ACurrencyCodeInEitherCaseIsReadInCapitals(string? code, string? expected) =>
        Assert.Equal(expected, Currency.Canonical(code));
}
