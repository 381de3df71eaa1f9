using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Entitlements;

namespace Tollgate.Core.Tests.Entitlements;

/// <summary>The reasons the store's counted outcomes are named by, decided here and nowhere else.</summary>
public sealed class DecisionReasonTests
{
    [Theory]
    [InlineData(null, 5, 0, 0, 5, DecisionReason.Unlimited)]
    [InlineData(10L, 9, 1, 0, 1, DecisionReason.WithinQuota)]
    [InlineData(10L, 10, 0, 3, 5, DecisionReason.CreditGrant)]
    [InlineData(10L, 11, 0, 0, 1, DecisionReason.SoftCapOverage)]
    [InlineData(10L, 9, 2, 4, 5, DecisionReason.SoftCapOverage)] // what grants could not absorb is overage, whatever they took
    [InlineData(0L, 5, 0, 1, 1, DecisionReason.CreditGrant)] // 5 billed before a grant came: this use took none of them
    [InlineData(10L, 15, 0, 2, 3, DecisionReason.SoftCapOverage)] // 1 of this use's 3 billed
    public void ACountedUseIsNamedByWhereItsUnitsCameFrom(long? limit, long used, long reserved, long taken, long amount, DecisionReason expected) =>
        Assert.Equal(expected, QuotaRules.Granted(limit, new CounterState(used, reserved, 0), taken, amount));

    [Theory]
    [InlineData(true, 10L, DecisionReason.WithinQuota)]
    [InlineData(true, null, DecisionReason.Unlimited)]
    [InlineData(true, 0L, DecisionReason.WithinQuota)] // an LLM budget hold has no feature grant: limit 0, not unlimited
    [InlineData(false, 10L, DecisionReason.QuotaExceeded)]
    [InlineData(false, null, DecisionReason.QuotaExceeded)]
    public void ASettlementIsWithinQuotaUnlimitedOrExceeded(bool fits, long? limit, DecisionReason expected) =>
        Assert.Equal(expected, QuotaRules.Settled(fits, limit));

    [Theory]
    [InlineData(DecisionReason.QuotaExceeded, 10L, true)]
    [InlineData(DecisionReason.WithinQuota, 10L, true)]
    [InlineData(DecisionReason.SoftCapOverage, 10L, true)]
    [InlineData(DecisionReason.QuotaExceeded, 0L, true)]
    [InlineData(DecisionReason.SoftCapOverage, 0L, true)] // pay as you go: the consume draws grants before it bills
    [InlineData(DecisionReason.Unlimited, null, false)]
    [InlineData(DecisionReason.Included, null, false)]
    [InlineData(DecisionReason.RateLimited, 10L, false)]
    [InlineData(DecisionReason.BudgetExceeded, 10L, false)]
    public void OnlyALimitedQuotaDecisionReadsTheGrants(DecisionReason reason, long? limit, bool expected) =>
        Assert.Equal(expected, QuotaRules.ConsultsGrants(reason, limit));

    [Theory]
    [InlineData(DecisionReason.QuotaExceeded, 2L, 3, 5, DecisionReason.CreditGrant)]
    [InlineData(DecisionReason.QuotaExceeded, 2L, 2, 5, DecisionReason.QuotaExceeded)]
    [InlineData(DecisionReason.QuotaExceeded, null, 5, 5, DecisionReason.CreditGrant)]
    [InlineData(DecisionReason.WithinQuota, 8L, 0, 1, DecisionReason.WithinQuota)]
    [InlineData(DecisionReason.SoftCapOverage, 0L, 9, 1, DecisionReason.CreditGrant)]
    [InlineData(DecisionReason.SoftCapOverage, 0L, 9, 10, DecisionReason.SoftCapOverage)]
    public void PastTheAllowanceWhatTheGrantsCoverIsCreditGrantUnderEitherCap(DecisionReason reason, long? allowanceLeft, long granted, long amount, DecisionReason expected) =>
        Assert.Equal(expected, QuotaRules.WithGrants(reason, allowanceLeft, granted, amount));

    [Fact]
    public void AUseWithinTheLimitIsAllowedAndNeverNamedOverage() =>
        Check.QuickThrowOnFailure(Prop.ForAll(Gen.Choose(1, 1000).ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), Gen.Choose(0, 50).ToArbitrary(),
            (limit, used, taken) =>
            {
                var reason = QuotaRules.Granted(limit, new CounterState(Math.Min(used, limit), 0, 0), taken, taken + 1);
                return reason.IsAllowed() && reason != DecisionReason.SoftCapOverage && (reason == DecisionReason.CreditGrant) == (taken > 0);
            }));
}
