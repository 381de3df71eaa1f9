using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;

namespace Tollgate.Core.Tests.Entitlements;

public sealed class QuotaRulesTests
{
    private static PlanFeature Metered(long? quota, bool hardCap = true, bool rollover = false) =>
        new("f", FeatureKind.Metered, quota, hardCap, rollover, null, quota is not 0, null, PlanFeature.DefaultThresholds);

    [Fact]
    public void ZeroQuotaMeansTheFeatureIsNotInThePlan() =>
        Assert.Equal(DecisionReason.FeatureNotInPlan, QuotaRules.Check(Metered(0), CounterState.Empty, 1));

    [Fact]
    public void NullQuotaIsUnlimited() =>
        Assert.Equal(DecisionReason.Unlimited, QuotaRules.Check(Metered(null), new CounterState(1_000_000, 0, 0), 1));

    [Theory]
    [InlineData(9, 0, 1, DecisionReason.WithinQuota)]
    [InlineData(9, 0, 2, DecisionReason.QuotaExceeded)]
    [InlineData(5, 4, 2, DecisionReason.QuotaExceeded)]
    [InlineData(5, 4, 1, DecisionReason.WithinQuota)]
    public void HardCapCountsReservedUnitsAgainstTheLimit(long used, long reserved, long amount, DecisionReason expected) =>
        Assert.Equal(expected, QuotaRules.Check(Metered(10), new CounterState(used, reserved, 0), amount));

    [Fact]
    public void SoftCapAllowsPastTheLimitAsOverage() =>
        Assert.Equal(DecisionReason.SoftCapOverage, QuotaRules.Check(Metered(10, hardCap: false), new CounterState(10, 0, 0), 5));

    [Fact]
    public void CarriedUnitsRaiseTheLimit() =>
        Assert.Equal(DecisionReason.WithinQuota, QuotaRules.Check(Metered(10, rollover: true), new CounterState(12, 0, 5), 3));

    [Theory]
    [InlineData(10, 3, 7)]
    [InlineData(17, 1, 10)] // 16 unused, capped at one period's quota
    [InlineData(10, 12, 0)] // a soft cap can overrun: nothing carries
    public void RolloverCarriesWhatWasUnusedAtMostOneQuota(long previousLimit, long previousUsed, long expected) =>
        Assert.Equal(expected, QuotaRules.CarryOver(Metered(10, rollover: true), previousLimit, previousUsed));

    [Fact]
    public void WithoutRolloverNothingCarries() => Assert.Equal(0, QuotaRules.CarryOver(Metered(10), 10, 0));

    [Fact]
    public void SumOfGrantedConsumesNeverExceedsTheLimit()
    {
        Check.QuickThrowOnFailure(Prop.ForAll<PositiveInt, int[]>((quota, amounts) =>
        {
            var grant = Metered(quota.Get % 500);
            var counter = CounterState.Empty;
            foreach (var raw in amounts)
            {
                var amount = (Math.Abs((long)raw) % 50) + 1;
                if (QuotaRules.Check(grant, counter, amount) == DecisionReason.WithinQuota)
                {
                    counter = counter with { Used = counter.Used + amount };
                }
            }

            return grant.MonthlyQuota is 0 ? counter.Used == 0 : counter.Used <= grant.MonthlyQuota;
        }));
    }
}
