using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Catalog;

public sealed class QuotaDisplayTests
{
    private static PlanFeature Metered(long? quota) => new("f", FeatureKind.Metered, quota, true, false, null, quota is not 0, null, [80, 90, 100]);

    [Theory]
    [InlineData(null, "Unlimited")]
    [InlineData(0L, "Not included")]
    [InlineData(30L, "30")]
    [InlineData(10000L, "10,000")]
    public void MeteredQuotaIsWordedForAPricingPage(long? quota, string expected) =>
        Assert.Equal(expected, QuotaDisplay.For(Metered(quota)));

    [Theory]
    [InlineData(1L, "letters", "letter")]
    [InlineData(1L, "CVs", "CV")]
    [InlineData(1L, "API calls", "API call")]
    [InlineData(1L, "analyses", "analysis")]
    [InlineData(1L, "queries", "query")]
    [InlineData(1L, "matches", "match")]
    [InlineData(1L, "GB of storage", "GB of storage")]
    [InlineData(1L, "access", "access")]
    [InlineData(2L, "letters", "letters")]
    [InlineData(0L, "letters", "letters")]
    public void OneOfAUnitReadsSingular(long count, string unit, string expected) => Assert.Equal(expected, QuotaDisplay.UnitFor(count, unit));

    [Fact]
    public void FeatureMissingFromThePlanIsNotIncluded() => Assert.Equal("Not included", QuotaDisplay.For(null));

    [Theory]
    [InlineData(true, "Included")]
    [InlineData(false, "Not included")]
    public void BooleanFeatureIsIncludedOrNot(bool enabled, string expected) =>
        Assert.Equal(expected, QuotaDisplay.For(new PlanFeature("g", FeatureKind.Boolean, enabled ? null : 0, true, false, null, enabled, null, [])));

    [Theory]
    [InlineData("365", "365")]
    [InlineData("null", "Unlimited")]
    [InlineData("\"priority\"", "priority")]
    public void ValueFeatureShowsItsSetting(string json, string expected) =>
        Assert.Equal(expected, QuotaDisplay.For(new PlanFeature("v", FeatureKind.Value, null, true, false, null, true, json, [])));

    [Theory]
    [InlineData(999, 9900, 17)] // 119.88 a year against 99: 17.4 %
    [InlineData(2999, 29900, 17)] // 359.88 against 299: 16.9 %
    [InlineData(9999, 99900, 17)] // 1199.88 against 999: 16.7 %
    [InlineData(1000, 10000, 17)] // 120 against 100: 16.67 %
    [InlineData(1000, 12000, null)]
    [InlineData(1000, 15000, null)]
    public void YearlySavingIsWholePercentRoundedHalfUp(long monthly, long yearly, int? expected)
    {
        var terms = new PlanTerms(
            [new PlanPrice(BillingInterval.Monthly, monthly, "USD", 0, null), new PlanPrice(BillingInterval.Yearly, yearly, "USD", 0, null)], [], null);

        Assert.Equal(expected, QuotaDisplay.YearlySavingPercent(terms));
    }

    [Theory]
    [InlineData(2499, 29900)] // a promotion's 299.88 a year against 299: 0.29 %, which rounds to 0
    [InlineData(1000, 11995)] // 120 against 119.95: 0.04 %
    public void ASavingThatRoundsToZeroIsNoSaving(long monthly, long yearly)
    {
        var terms = new PlanTerms(
            [new PlanPrice(BillingInterval.Monthly, monthly, "USD", 0, null), new PlanPrice(BillingInterval.Yearly, yearly, "USD", 0, null)], [], null);

        Assert.Null(QuotaDisplay.YearlySavingPercent(terms));
    }
}
