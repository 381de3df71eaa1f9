using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Entitlements;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

/// <summary>
/// Random sequences of consume, reserve, commit, release and clock moves across month windows, run against the real
/// store: whatever the order, a hard cap is never passed and the counters hold exactly what the answers granted.
/// </summary>
public abstract class QuotaPropertyContract : StoreContract
{
    private const long Limit = 100; // "capped" on the default plan of Catalogs.Rules

    [Fact]
    public void NoSequenceOfOperationsGrantsPastAHardCapOrLosesAGrantedUnit() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), Prop.ForAll(Sequences.ToArbitrary(), ops =>
            Task.Run(() => RunAsync(ops)).GetAwaiter().GetResult()));

    private static Gen<List<Op>> Sequences
    {
        get
        {
            var consume = Gen.Choose(1, 30).Select(n => (Op)new Consume(n));
            var reserve = Gen.Choose(1, 30).SelectMany(n => Gen.Choose(1, 180), (n, ttl) => (Op)new Reserve(n, ttl));
            var commit = Gen.Choose(0, 9).SelectMany(i => Gen.Choose(0, 40), (i, actual) => (Op)new Commit(i, actual));
            var release = Gen.Choose(0, 9).Select(i => (Op)new Release(i));
            // Hours up to ~2 weeks, so a sequence crosses month windows now and then, sometimes with holds open.
            var advance = Gen.Choose(1, 330).Select(h => (Op)new Advance(h));
            return Gen.OneOf(consume, consume, consume, reserve, reserve, commit, commit, release, advance)
                .ListOf().Select(l => l.Take(40).ToList());
        }
    }

    private async Task<bool> RunAsync(List<Op> ops)
    {
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules);
        await h.AddCustomerAsync("c1");
        var granted = new Dictionary<DateTimeOffset, long>(); // units counted per window start
        var holds = new List<Hold>();
        foreach (var op in ops)
        {
            switch (op)
            {
                case Consume c:
                    var consumed = Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", c.Amount, null)));
                    if (consumed.Allowed)
                    {
                        granted[consumed.PeriodStart] = granted.GetValueOrDefault(consumed.PeriodStart) + c.Amount;
                    }

                    break;
                case Reserve r:
                    var reserved = Assert.IsType<UsageOutcome.Decided>(await h.Entitlements.ReserveAsync(
                        new ReserveCommand("c1", "capped", r.Amount, TimeSpan.FromMinutes(r.TtlMinutes), null)));
                    if (reserved.Decision.Allowed)
                    {
                        holds.Add(new Hold(reserved.ReservationId!, r.Amount, reserved.Decision.PeriodStart, h.Clock.GetUtcNow().AddMinutes(r.TtlMinutes)));
                    }

                    break;
                case Commit c when c.Hold < holds.Count:
                    var hold = holds[c.Hold];
                    var settled = await h.Reservations.CommitAsync(hold.Id, c.Actual);
                    if (hold.Open && settled is UsageOutcome.Decided { Decision.Allowed: true })
                    {
                        granted[hold.Window] = granted.GetValueOrDefault(hold.Window) + c.Actual;
                        holds[c.Hold] = hold with { Open = false, Committed = c.Actual };
                    }
                    else if (!hold.Open && hold.Committed == c.Actual)
                    {
                        // A retry of the same commit answers as the first did and counts nothing more.
                        Assert.IsType<UsageOutcome.Decided>(settled);
                    }
                    else if (!hold.Open)
                    {
                        // Released, expired, or committed with another amount: a different settlement is refused.
                        Assert.IsNotType<UsageOutcome.Decided>(settled);
                    }

                    break;
                case Release r when r.Hold < holds.Count:
                    if (holds[r.Hold].Open && await h.Reservations.ReleaseAsync(holds[r.Hold].Id) is UsageOutcome.Decided)
                    {
                        holds[r.Hold] = holds[r.Hold] with { Open = false };
                    }

                    break;
                case Advance a:
                    h.Clock.Advance(TimeSpan.FromHours(a.Hours));
                    await h.Reservations.SweepExpiredAsync(h.Clock.GetUtcNow());
                    holds = [.. holds.Select(x => x with { Open = x.Open && x.Expires > h.Clock.GetUtcNow() })];
                    break;
            }

            var usage = (await h.Usage.CurrentPeriodAsync("c1"))!;
            var window = usage.Context.Window(usage.Context.Grant("capped")).Start;
            var counter = usage.Counter("capped");
            var held = holds.Where(x => x.Open && x.Window == window).Sum(x => x.Amount);
            Assert.True(counter.Used + counter.Reserved <= Limit, $"used {counter.Used} + reserved {counter.Reserved} passed {Limit} after {op}");
            Assert.Equal(granted.GetValueOrDefault(window), counter.Used);
            Assert.Equal(held, counter.Reserved);
        }

        return true;
    }

    private static EntitlementDecision Decision(UsageOutcome outcome) => Assert.IsType<UsageOutcome.Decided>(outcome).Decision;

    private abstract record Op;

    private sealed record Consume(int Amount) : Op;

    private sealed record Reserve(int Amount, int TtlMinutes) : Op;

    private sealed record Commit(int Hold, int Actual) : Op;

    private sealed record Release(int Hold) : Op;

    private sealed record Advance(int Hours) : Op;

    private sealed record Hold(string Id, long Amount, DateTimeOffset Window, DateTimeOffset Expires, bool Open = true, long? Committed = null);
}

public sealed class SqliteQuotaPropertyTests : QuotaPropertyContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresQuotaPropertyTests : QuotaPropertyContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
