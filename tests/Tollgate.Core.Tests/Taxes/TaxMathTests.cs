using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Billing;
using Tollgate.Core.Discounts;
using Tollgate.Core.Taxes;

namespace Tollgate.Core.Tests.Taxes;

/// <summary>The five worked examples of issue 33, asserted exactly, and the rules around them.</summary>
public sealed class TaxMathTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TaxRate Rate(string id, decimal percentage, bool inclusive = false, string? country = "DE", string? state = null, bool active = true) =>
        new(id, id, TaxRate.MillionthsOf(percentage)!.Value, inclusive, country, state, active, Start);

    private static InvoiceLine Line(long amount) => new(InvoiceLineKind.Recurring, "Pro", amount, 1, amount, Start, Start.AddMonths(1), "pro", "v1");

    [Fact]
    public void TwentyPercentExclusiveOnTwentyNineNinetyNineIsSixDollarsTaxAndThirtyFiveNinetyNineTotal()
    {
        var lines = TaxedLines.Apply([Line(2999)], [Rate("vat20", 20)]);
        var totals = InvoiceTotals.Finalize(lines, 0);

        Assert.Equal(600, lines[0].TaxCents);
        Assert.Equal((600L, 3599L, 3599L), (totals.TaxCents, totals.TotalCents, totals.AmountDueCents));
    }

    [Fact]
    public void NineteenPercentInclusiveOnTwentyNineNinetyNineIsFourSeventyNineTaxAndTwentyFiveTwentyNet()
    {
        var lines = TaxedLines.Apply([Line(2999)], [Rate("vat19", 19, inclusive: true)]);
        var totals = InvoiceTotals.Finalize(lines, 0);

        Assert.Equal(479, totals.TaxCents);
        Assert.Equal(2520, lines[0].NetCents - lines[0].TaxCents);
        Assert.Equal((2999L, 2999L), (totals.TotalCents, totals.AmountDueCents)); // inclusive tax does not grow the total
    }

    [Fact]
    public void AStateRateAndACityRateAreEachTakenOnTheLineSoOneHundredDollarsComesToOneHundredEightTwentyFive()
    {
        var lines = TaxedLines.Apply([Line(100_00)], [Rate("tx_state", 6.25m, country: "US", state: "TX"), Rate("austin", 2, country: "US", state: "TX")]);
        var totals = InvoiceTotals.Finalize(lines, 0);

        Assert.Equal([625L, 200L], lines[0].Taxes.Select(t => t.AmountCents));
        Assert.Equal(108_25, totals.TotalCents);
    }

    [Fact]
    public void ATwentyPercentCouponComesOffBeforeTwentyPercentVatSoTenPoundsIsTwoOffOneSixtyTaxNineSixtyTotal()
    {
        var coupon = new Coupon("c", "20 off", 2000, null, null, CouponDuration.Forever, null, [], null, null, 0, null, Start);
        var discounted = DiscountedLines.Apply([Line(10_00)], new Discount("di", "sub", "cus", coupon, null, Start, null, null));
        var lines = TaxedLines.Apply(discounted, [Rate("uk_vat", 20, country: "GB")]);
        var totals = InvoiceTotals.Finalize(lines, 0);

        Assert.Equal((200L, 160L, 960L), (totals.DiscountCents, totals.TaxCents, totals.TotalCents));
    }

    [Fact]
    public void AReverseChargeCustomerOnOneHundredEurosPaysNoTaxAndIsMarkedReverseCharge()
    {
        var profile = new TaxProfile("DE", null, "reverse", []);
        var lines = TaxedLines.Apply([Line(100_00)], TaxMatching.Applicable([Rate("vat19", 19)], profile));
        var totals = InvoiceTotals.Finalize(lines, 0);

        Assert.True(profile.ReverseCharge);
        Assert.Equal((0L, 100_00L), (totals.TaxCents, totals.TotalCents));
    }

    [Fact]
    public void AnAmountOffIsSpreadOverTheLinesBeforeTaxSoEachLineIsTaxedOnItsShare()
    {
        var coupon = new Coupon("c", "5 off", null, 5_00, "USD", CouponDuration.Once, null, [], null, null, 0, null, Start);
        var overage = Line(30_00) with { Kind = InvoiceLineKind.Overage, FeatureCode = "calls" };
        var discounted = DiscountedLines.Apply([Line(20_00), overage], new Discount("di", "sub", "cus", coupon, null, Start, null, null));
        var lines = TaxedLines.Apply(discounted, [Rate("vat20", 20)]);

        Assert.Equal([2_00L, 3_00L], lines.Select(l => l.DiscountCents));
        Assert.Equal([3_60L, 5_40L], lines.Select(l => l.TaxCents));
        Assert.Equal(54_00, InvoiceTotals.Finalize(lines, 0).TotalCents);
    }

    [Fact]
    public void ACreditLineGetsNegativeTaxRoundedAwayFromZero()
    {
        Assert.Equal(-3, TaxMath.ForLine(-15, [Rate("vat20", 20)])[0].AmountCents);
        Assert.Equal(3, TaxMath.ForLine(15, [Rate("vat20", 20)])[0].AmountCents);
    }

    [Fact]
    public void CustomerRatesReplaceMatchingByPlaceAndAStateRateOnlyMatchesItsState()
    {
        var rates = new[] { Rate("us", 1, country: "US"), Rate("tx", 6.25m, country: "US", state: "TX"), Rate("ca", 7.25m, country: "US", state: "CA"),
            Rate("old", 5, country: "US", active: false) };

        Assert.Equal(["us", "tx"], TaxMatching.Applicable(rates, new TaxProfile("us", "tx", "none", [])).Select(r => r.Id));
        Assert.Equal(["ca"], TaxMatching.Applicable(rates, new TaxProfile("DE", null, "none", ["ca"])).Select(r => r.Id));
        Assert.Empty(TaxMatching.Applicable(rates, new TaxProfile("US", "TX", "exempt", [])));
        Assert.Empty(TaxMatching.Applicable(rates, new TaxProfile(null, null, "none", [])));
    }

    [Theory]
    [InlineData("US", "Texas", "tx")]
    [InlineData("US", " texas ", "tx")]
    [InlineData("US", "US-TX", "tx")]
    [InlineData("US", "t.x.", "tx")]
    [InlineData("US", "New  York", "ny")]
    [InlineData("US", "N.Y.", "ny")]
    [InlineData("US", "District of Columbia", "dc")]
    [InlineData("CA", "Québec", "qc")]
    [InlineData("CA", "quebec", "qc")]
    [InlineData("CA", "Prince Edward Island", "pe")]
    [InlineData("CA", "Que\u0301bec", "qc")]
    [InlineData("CA", "P.E.I.", "pe")]
    [InlineData("CA", "Île-du-Prince-Édouard", "pe")]
    [InlineData("CA", "Yukon Territory", "yt")]
    [InlineData("CA", "Colombie\u2011Britannique", "bc")]
    [InlineData("CA", "Newfoundland & Labrador", "nl")]
    [InlineData("US", "Washington, D.C.", "dc")]
    [InlineData("US", "New\u00a0York", "ny")]
    public void AnAddressThatNamesItsStateInFullOrInAnotherCasePaysThatStatesRate(string country, string state, string expected)
    {
        var rates = new[] { Rate("country", 1, country: country), Rate("tx", 6.25m, country: "US", state: "TX"), Rate("ny", 4, country: "US", state: "NY"),
            Rate("dc", 6, country: "US", state: "DC"), Rate("qc", 9.975m, country: "CA", state: "QC"), Rate("pe", 10, country: "CA", state: "PE"),
            Rate("yt", 5, country: "CA", state: "YT"), Rate("bc", 7, country: "CA", state: "BC"), Rate("nl", 15, country: "CA", state: "NL") };

        Assert.Equal(["country", expected], TaxMatching.Applicable(rates, new TaxProfile(country, state, "none", [])).Select(r => r.Id));
    }

    [Theory]
    [InlineData("US", "Texass")]
    [InlineData("US", "Washington State")]
    [InlineData("CA", "Texas")]
    [InlineData("CA", "Province de Québec")]
    [InlineData("CA", "Nord-Ouest")]
    [InlineData("US", "")]
    public void AnAddressWhoseStateNamesNoneOfTheCountrysPaysOnlyTheCountryWideRate(string country, string state)
    {
        var rates = new[] { Rate("country", 1, country: country), Rate("tx", 6.25m, country: "US", state: "TX"), Rate("wa", 6.5m, country: "US", state: "WA") };

        Assert.Equal(["country"], TaxMatching.Applicable(rates, new TaxProfile(country, state, "none", [])).Select(r => r.Id));
    }

    [Fact]
    public void AnotherCountrysStateIsMatchedByItsCodeInAnyCaseOrWithItsCountry()
    {
        var rates = new[] { Rate("by", 2, country: "DE", state: "BY") };

        Assert.Equal(["by"], TaxMatching.Applicable(rates, new TaxProfile("DE", "de-by", "none", [])).Select(r => r.Id));
        Assert.Empty(TaxMatching.Applicable(rates, new TaxProfile("DE", "Bavaria", "none", [])));
    }

    [Fact]
    public void APercentageTakesAtMostFourDecimalsAndLiesStrictlyBetweenZeroAndOneHundred()
    {
        Assert.Equal(62_500, TaxRate.MillionthsOf(6.25m));
        Assert.Equal(205_000, TaxRate.MillionthsOf(20.5m));
        Assert.Equal(1, TaxRate.MillionthsOf(0.0001m));
        Assert.Null(TaxRate.MillionthsOf(0.00001m));
        Assert.Null(TaxRate.MillionthsOf(0));
        Assert.Null(TaxRate.MillionthsOf(100));
        Assert.Null(TaxRate.MillionthsOf(decimal.MaxValue)); // refused before it is scaled, which would overflow
    }

    [Fact]
    public void InclusiveTaxPlusNetIsAlwaysTheLineExactlyWithSeveralInclusiveRates()
    {
        Prop.ForAll(Gen.Choose(-1_000_000, 1_000_000).ToArbitrary(), Gen.Choose(1, 300_000).ToArbitrary(), Gen.Choose(1, 300_000).ToArbitrary(),
            (amount, a, b) =>
            {
                var rates = new[] { new TaxRate("a", "a", a, true, null, null, true, Start), new TaxRate("b", "b", b, true, null, null, true, Start) };
                var taxes = TaxMath.ForLine(amount, rates);
                var expected = amount == 0 ? 0 : amount - Tollgate.Core.Money.Rounding.DivideHalfUp((Int128)amount * TaxRate.Whole, TaxRate.Whole + a + b);
                return taxes.Sum(t => t.AmountCents) == expected;
            }).QuickCheckThrowOnFailure();
    }
}
