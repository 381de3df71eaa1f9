using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Grants;
using Tollgate.Server.Entitlements;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

/// <summary>The grant draw on the real stores: concurrent consumes and reservations never spend a grant past its amount.</summary>
public abstract class CreditGrantContract : StoreContract
{
    private static EntitlementDecision Decision(UsageOutcome outcome) => Assert.IsType<UsageOutcome.Decided>(outcome).Decision;

    [Fact]
    public async Task GrantedUnitsUsedNeverExceedTheGrantsUnderConcurrentConsumesAndReservations()
    {
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules);
        var grants = new CreditGrantStore(h.Database, h.Clock);
        var run = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(12), Prop.ForAll<NonNegativeInt, PositiveInt[], PositiveInt[]>((spent, amounts, sizes) =>
            RunAsync(h, grants, $"p{Interlocked.Increment(ref run)}", spent.Get % 101, [.. amounts.Take(4).Select(a => (long)(a.Get % 30) + 1)],
                [.. sizes.Take(60).Select(s => (long)(s.Get % 5) + 1)]).GetAwaiter().GetResult()));
    }

    private static async Task<bool> RunAsync(UsageHarness h, CreditGrantStore grants, string customer, long spent, long[] amounts, long[] sizes)
    {
        await h.AddCustomerAsync(customer);
        if (spent > 0)
        {
            await h.Entitlements.ConsumeAsync(new ConsumeCommand(customer, "capped", spent, null));
        }

        foreach (var (amount, i) in amounts.Select((a, i) => (a, i)))
        {
            await grants.CreateAsync(new NewCreditGrant(customer, "capped", amount, null, i * 30 % 101, null));
        }

        // Every third operation is a reservation released at once, so it must give back exactly what it took.
        var outcomes = await Task.WhenAll(sizes.Select((n, i) => Task.Run(async () =>
        {
            if (i % 3 != 2)
            {
                return (Units: n, Allowed: Decision(await h.Entitlements.ConsumeAsync(new ConsumeCommand(customer, "capped", n, null))).Allowed);
            }

            if (await h.Entitlements.ReserveAsync(new ReserveCommand(customer, "capped", n, TimeSpan.FromMinutes(1), null)) is UsageOutcome.Decided
                { ReservationId: { } id })
            {
                await h.Reservations.ReleaseAsync(id);
            }

            return (Units: n, Allowed: false);
        })));

        var used = (await grants.ListAsync(customer, new Tollgate.Storage.Database.PageRequest(100, null))).Items;
        var counter = (await h.Usage.CurrentPeriodAsync(customer))!.Counter("capped");
        var allowed = spent + outcomes.Where(o => o.Allowed).Sum(o => o.Units);
        return used.All(g => g.Used <= g.Amount) && counter.Used <= 100 && counter.Reserved == 0 && allowed == counter.Used + used.Sum(g => g.Used);
    }
}

public sealed class SqliteCreditGrantTests : CreditGrantContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCreditGrantTests : CreditGrantContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
