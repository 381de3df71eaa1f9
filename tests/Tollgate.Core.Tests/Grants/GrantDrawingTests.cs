using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Grants;

namespace Tollgate.Core.Tests.Grants;

public sealed class GrantDrawingTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static CreditGrant Grant(string id, long amount, long used = 0, int priority = 50, DateTimeOffset? expires = null, bool voided = false) =>
        new(id, "c1", "f", amount, used, expires, priority, null, null, Now.AddDays(-1), voided ? Now : null);

    [Fact]
    public void LowerPriorityNumberIsSpentFirstThenEarliestExpiryThenNeverExpiring()
    {
        var takes = GrantDrawing.Plan([Grant("never", 5), Grant("late", 5, expires: Now.AddDays(9)), Grant("soon", 5, expires: Now.AddDays(2)),
            Grant("first", 5, priority: 0)], 17, Now);

        Assert.Equal([new("first", 5), new("soon", 5), new("late", 5), new GrantTake("never", 2)], takes);
    }

    [Fact]
    public void ExpiredVoidedAndUsedUpGrantsGiveNothing() =>
        Assert.Empty(GrantDrawing.Plan([Grant("expired", 5, expires: Now), Grant("voided", 5, voided: true), Grant("used", 5, used: 5)], 3, Now));

    [Fact]
    public void GrantedUnitsUsedNeverExceedTheGrants()
    {
        Check.QuickThrowOnFailure(Prop.ForAll<NonNegativeInt[], PositiveInt[]>((amounts, needs) =>
        {
            var grants = amounts.Select((a, i) => Grant($"g{i}", (a.Get % 50) + 1, priority: i % 3)).ToList();
            foreach (var need in needs.Select(n => (long)(n.Get % 40) + 1))
            {
                var takes = GrantDrawing.Plan(grants, need, Now);
                if (takes.Sum(t => t.Amount) > need || takes.Any(t => t.Amount <= 0))
                {
                    return false;
                }

                grants = [.. grants.Select(g => g with { Used = g.Used + takes.Where(t => t.GrantId == g.Id).Sum(t => t.Amount) })];
            }

            return grants.All(g => g.Used <= g.Amount);
        }));
    }
}
