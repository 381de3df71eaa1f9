using Dapper;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Entitlements;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

public abstract class UsageContract : StoreContract
{
    private Task<UsageHarness> HarnessAsync() => UsageHarness.StartAsync(Kind, Catalogs.Rules);

    private static EntitlementDecision Decision(UsageOutcome outcome) => Assert.IsType<UsageOutcome.Decided>(outcome).Decision;

    [Fact]
    public async Task FiveHundredConcurrentConsumesAgainstALimitOfOneHundredGrantExactlyOneHundred()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ =>
            Task.Run(() => h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 1, null)))));

        Assert.Equal(100, outcomes.Count(o => Decision(o).Allowed));
        Assert.Equal(400, outcomes.Count(o => Decision(o).Reason == DecisionReason.QuotaExceeded));
        Assert.Equal(100, (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("capped").Used);
    }

    [Fact]
    public async Task ConcurrentConsumesAndRetriesNeverPassTheLimitNorCountTwiceWhenTwoWriterLanesAreAskedFor()
    {
        // PostgreSQL grants both: two batches of one writer run at once and meet on the counter row, as two nodes' batches do.
        // SQLite keeps its one lane (one write transaction at a time), so there the setting must merely change nothing.
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules, writerLanes: 2);
        await h.AddCustomerAsync("c1");
        await h.AddCustomerAsync("c2");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () => (i, Outcome: await h.Entitlements.ConsumeAsync(
            new ConsumeCommand(i % 2 == 0 ? "c1" : "c2", "capped", 1, i % 4 < 2 ? null : $"key-{i % 40}"))))));

        foreach (var customer in new[] { "c1", "c2" })
        {
            var used = (await h.Usage.CurrentPeriodAsync(customer))!.Counter("capped").Used;
            var granted = outcomes.Where(o => (o.i % 2 == 0 ? "c1" : "c2") == customer && Decision(o.Outcome).Allowed
                && !((UsageOutcome.Decided)o.Outcome).Replayed).Count();
            Assert.Equal(100, used);
            Assert.Equal(used, granted);
        }
    }

    [Fact]
    public async Task ConcurrentConsumesOfRandomSizesNeverPassTheLimit()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");
        var sizes = Enumerable.Range(0, 300).Select(i => (long)(i % 7) + 1).ToList();

        var outcomes = await Task.WhenAll(sizes.Select(n => Task.Run(() => h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", n, null)))));

        var granted = sizes.Zip(outcomes).Where(p => Decision(p.Second).Allowed).Sum(p => p.First);
        Assert.InRange(granted, 94, 100);
        Assert.Equal(granted, (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("capped").Used);
    }

    [Fact]
    public async Task IdempotentRetriesUnderConcurrentLoadCountOnceAndAnswerAlike()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(async () => (Key: i % 50, Outcome: await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 1, $"key-{i % 50}"))))));

        Assert.Equal(50, (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("capped").Used);
        foreach (var group in outcomes.GroupBy(o => o.Key))
        {
            Assert.Single(group.Select(o => Decision(o.Outcome).Used).Distinct());
            Assert.Equal(3, group.Count(o => ((UsageOutcome.Decided)o.Outcome).Replayed));
        }
    }

    [Fact]
    public async Task SameKeyWithADifferentBodyIsAMismatchAndCountsNothing()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");

        await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 1, "k"));
        var second = await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 2, "k"));

        Assert.IsType<UsageOutcome.IdempotencyMismatch>(second);
        Assert.Equal(1, (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("capped").Used);
    }

    [Fact]
    public async Task SoftCapAllowsPastTheLimitAndRecordsTheExcessAsOverage()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");

        await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "soft", 8, null));
        var past = Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "soft", 5, null)));

        Assert.True(past.Allowed);
        Assert.Equal(DecisionReason.SoftCapOverage, past.Reason);
        Assert.Equal((13L, 3L, 0L), (past.Used, past.Overage, past.Remaining!.Value));
    }

    [Fact]
    public async Task RolloverCarriesUnusedUnitsIntoTheNextPeriodAtMostOneQuota()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("used3");
        await h.AddCustomerAsync("unused");
        await h.Entitlements.ConsumeAsync(new ConsumeCommand("used3", "rolling", 3, null));
        await h.Entitlements.ConsumeAsync(new ConsumeCommand("unused", "rolling", 1, null));
        await h.Entitlements.ConsumeAsync(new ConsumeCommand("unused", "rolling", 0 + 1, "x"));

        h.Clock.Advance(TimeSpan.FromDays(31)); // into February
        var carried = Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand("used3", "rolling", 1, null)));
        h.Clock.Advance(TimeSpan.FromDays(28)); // into March: February used 1 of 17
        var capped = Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand("used3", "rolling", 1, null)));

        Assert.Equal(17, carried.Limit); // 10 + the 7 unused
        Assert.Equal(20, capped.Limit); // 16 unused, but at most one quota (10) carries
    }

    [Fact]
    public async Task ReservationHoldsAtOnceAndCommitSettlesToTheActualAmount()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");

        var reserved = Assert.IsType<UsageOutcome.Decided>(
            await h.Entitlements.ReserveAsync(new ReserveCommand("c1", "capped", 60, TimeSpan.FromMinutes(5), null)));
        var blocked = Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 50, null)));
        var committed = Decision(await h.Reservations.CommitAsync(reserved.ReservationId!, 45));
        var again = Decision(await h.Reservations.CommitAsync(reserved.ReservationId!, 45));

        Assert.Equal((60L, 40L), (reserved.Decision.Reserved, reserved.Decision.Remaining!.Value));
        Assert.Equal(DecisionReason.QuotaExceeded, blocked.Reason);
        Assert.Equal((45L, 0L, 55L), (committed.Used, committed.Reserved, committed.Remaining!.Value));
        Assert.Equal(45, again.Used);
        Assert.IsType<UsageOutcome.ReservationConflict>(await h.Reservations.CommitAsync(reserved.ReservationId!, 50));
    }

    [Fact]
    public async Task CommittingMoreThanHeldMustFitTheQuotaAgain()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");
        var reserved = (UsageOutcome.Decided)await h.Entitlements.ReserveAsync(new ReserveCommand("c1", "capped", 10, TimeSpan.FromMinutes(5), null));
        await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 85, null));

        var tooMuch = Decision(await h.Reservations.CommitAsync(reserved.ReservationId!, 20));
        var fits = Decision(await h.Reservations.CommitAsync(reserved.ReservationId!, 15));

        Assert.Equal(DecisionReason.QuotaExceeded, tooMuch.Reason);
        Assert.Equal((100L, 0L), (fits.Used, fits.Reserved));
    }

    [Fact]
    public async Task ReleaseAndExpiryGiveTheHeldUnitsBack()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");
        var released = (UsageOutcome.Decided)await h.Entitlements.ReserveAsync(new ReserveCommand("c1", "capped", 30, TimeSpan.FromMinutes(5), null));
        var expiring = (UsageOutcome.Decided)await h.Entitlements.ReserveAsync(new ReserveCommand("c1", "capped", 20, TimeSpan.FromSeconds(30), null));

        var afterRelease = Decision(await h.Reservations.ReleaseAsync(released.ReservationId!));
        h.Clock.Advance(TimeSpan.FromSeconds(31));
        var swept = await h.Reservations.SweepExpiredAsync(h.Clock.GetUtcNow());
        var counter = (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("capped");

        Assert.Equal(20, afterRelease.Reserved);
        Assert.Equal(1, swept);
        Assert.Equal((0L, 0L), (counter.Used, counter.Reserved));
        Assert.IsType<UsageOutcome.ReservationConflict>(await h.Reservations.CommitAsync(expiring.ReservationId!, 5));
        Assert.Equal(0, await h.Reservations.SweepExpiredAsync(h.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task ConcurrentReservationsNeverHoldMoreThanTheLimit()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => Task.Run(() =>
            h.Entitlements.ReserveAsync(new ReserveCommand("c1", "capped", 1, TimeSpan.FromMinutes(5), null)))));

        Assert.Equal(100, outcomes.Count(o => Decision(o).Allowed));
        Assert.Equal(100, (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("capped").Reserved);
    }

    [Fact]
    public async Task EventsCountPastAHardCapOnceEachAndLandInTheDailyRollup()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");
        var now = h.Clock.GetUtcNow();
        TrackedEvent E(int i, string id, long amount) => new(i, id, "c1", "tracked", amount, now.AddHours(-1), "{\"rows\": 3}");

        var first = await h.Events.TrackAsync([E(0, "e1", 4), E(1, "e2", 4)]);
        var resent = await h.Events.TrackAsync([E(0, "e1", 4), E(1, "e3", 1)]);
        var daily = await h.Database.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT SUM(quantity) FROM usage_daily WHERE customer_id = 'c1' AND feature_code = 'tracked'"));

        Assert.Equal(2, first.Accepted);
        Assert.Equal((1, "e1"), (resent.Accepted, resent.Duplicates.Single()));
        Assert.Equal(9, (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("tracked").Used);
        Assert.Equal(9, daily);
    }

    [Fact]
    public async Task EventsOutsideTheCurrentPeriodOrFromUnknownCustomersAreRejectedOneByOne()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");
        var now = h.Clock.GetUtcNow();

        var result = await h.Events.TrackAsync([
            new TrackedEvent(0, "old", "c1", "tracked", 1, now.AddDays(-20), null),
            new TrackedEvent(1, "future", "c1", "tracked", 1, now.AddHours(1), null),
            new TrackedEvent(2, "who", "nobody", "tracked", 1, now, null),
            new TrackedEvent(3, "ok", "c1", "tracked", 1, now, null)]);

        Assert.Equal(1, result.Accepted);
        Assert.Equal([0, 1, 2], result.Rejected.Select(r => r.Index));
    }

    [Fact]
    public async Task EveryGrantedUnitLandsInTheDailyRollupOfItsDay()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("c1");
        await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 3, null))));
        h.Clock.Advance(TimeSpan.FromDays(1));
        await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 2, null));

        var rows = (await h.Database.ReadAsync(c => c.QueryAsync<(string Day, long Quantity)>(
            "SELECT day, quantity FROM usage_daily WHERE customer_id = 'c1' ORDER BY day"))).ToList();

        Assert.Equal([("2026-01-15", 90L), ("2026-01-16", 2L)], rows);
    }

    [Fact]
    public async Task SubscriberKeepsTheirPlanVersionWhenTheCatalogChangesQuotas()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("old");
        await h.SubscribeAsync("old", "pro");
        var cheaper = Tollgate.Core.Catalog.CatalogDocument.Parse(Catalogs.Rules.Replace(
            "\"feature_code\": \"capped\", \"monthly_quota\": 1000", "\"feature_code\": \"capped\", \"monthly_quota\": 500", StringComparison.Ordinal)).Catalog!;
        await h.CatalogStore.ApplyAsync(cheaper);
        h.Catalog.Invalidate();
        await h.AddCustomerAsync("new");
        await h.SubscribeAsync("new", "pro");

        var old = Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand("old", "capped", 1, null)));
        var fresh = Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand("new", "capped", 1, null)));

        Assert.Equal((1000L, 500L), (old.Limit!.Value, fresh.Limit!.Value));
    }

    [Fact]
    public async Task SubscriptionPeriodsAreAnniversariesWhileFreeCustomersUseCalendarMonths()
    {
        await using var h = await HarnessAsync();
        await h.AddCustomerAsync("paid");
        await h.AddCustomerAsync("free");
        await h.SubscribeAsync("paid", "pro");

        var paid = Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand("paid", "capped", 1, null)));
        var free = Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand("free", "capped", 1, null)));

        Assert.Equal(TollgateApp.DefaultStart.AddMonths(1), paid.ResetsAt);
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), free.ResetsAt);
        Assert.Equal(("pro", "free"), (paid.Plan, free.Plan));
    }

    [Fact]
    public async Task UnknownCustomerIsNotFoundAndNothingIsCounted()
    {
        await using var h = await HarnessAsync();

        Assert.IsType<UsageOutcome.CustomerNotFound>(await h.Entitlements.ConsumeAsync(new ConsumeCommand("ghost", "capped", 1, "k")));
        Assert.Equal(0, await h.Database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM usage_counters")));
        Assert.Equal(0, await h.Database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM idempotency_keys")));
    }
}

public sealed class SqliteUsageTests : UsageContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresUsageTests : UsageContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
