using FsCheck;
using FsCheck.Fluent;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Metrics;

namespace Tollgate.Core.Tests.Metrics;

public sealed class SaasMetricsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SubscriptionState State(string sub, string customer, int day, SubscriptionStatus status, long price,
        BillingInterval interval = BillingInterval.Monthly, string plan = "p", bool wasTrial = false, bool cancel = false) =>
        new(sub, customer, T0.AddDays(day), day, "x", status, plan, plan + "_v1", interval, price, "USD", cancel, wasTrial);

    [Fact]
    public void StripeExampleOfMonthlyAndYearlySubscribersIs12500()
    {
        // Stripe's glossary: 100 on $100/month and 50 on $600/year (its text says 800/12; the 12,500 total is 600/12).
        var states = Enumerable.Range(0, 100).Select(i => State($"m{i}", $"m{i}", 0, SubscriptionStatus.Active, 10000))
            .Concat(Enumerable.Range(0, 50).Select(i => State($"y{i}", $"y{i}", 0, SubscriptionStatus.Active, 60000, BillingInterval.Yearly)));

        var window = new MrrLedger(states, MetricsPolicy.Default).Window(T0, T0.AddDays(30));

        Assert.Equal(12_500_00L * 12, window.EndTwelfths);
    }

    [Fact]
    public void ChartMogulChurnExampleIs20PercentGrossAnd10PercentNet()
    {
        // $100 MRR: $10 lost to churn, $10 to contraction, $10 won by expansion.
        var before = new[]
        {
            State("a", "a", 0, SubscriptionStatus.Active, 4000), State("b", "b", 0, SubscriptionStatus.Active, 1000),
            State("c", "c", 0, SubscriptionStatus.Active, 3000), State("d", "d", 0, SubscriptionStatus.Active, 2000),
        };
        var during = new[]
        {
            State("b", "b", 40, SubscriptionStatus.Canceled, 1000), State("c", "c", 41, SubscriptionStatus.Active, 2000),
            State("d", "d", 42, SubscriptionStatus.Active, 3000),
        };

        var report = SaasReport.Build([.. before, .. during], MetricsPolicy.Default, T0.AddDays(31), T0.AddDays(59));

        Assert.Equal(0.2m, report.GrossMrrChurnRate);
        Assert.Equal(0.1m, report.NetMrrChurnRate);
        Assert.Equal(0.25m, report.LogoChurnRate); // 1 of 4 customers left
    }

    [Fact]
    public void ArpaIsMrrPerPayingCustomer()
    {
        // ChartMogul's example: customers paying 1, 1, 3, 5 and 5 give an ARPA of 3.
        long[] prices = [100, 100, 300, 500, 500];
        var states = prices.Select((p, i) => State($"s{i}", $"c{i}", 0, SubscriptionStatus.Active, p)).ToList();

        var report = SaasReport.Build(states, MetricsPolicy.Default, T0.AddDays(1), T0.AddDays(2));

        Assert.Equal(300m, report.ArpaMinor);
    }

    [Fact]
    public void TrialsFreePlansAndCanceledSubscriptionsAreNotMrr()
    {
        var policy = MetricsPolicy.Default;

        Assert.Equal(0, policy.MrrTwelfths(State("t", "t", 0, SubscriptionStatus.Trialing, 2000)));
        Assert.Equal(0, policy.MrrTwelfths(State("f", "f", 0, SubscriptionStatus.Active, 0)));
        Assert.Equal(0, policy.MrrTwelfths(State("x", "x", 0, SubscriptionStatus.Canceled, 2000)));
        Assert.Equal(24000, policy.MrrTwelfths(State("p", "p", 0, SubscriptionStatus.PastDue, 2000)));
    }

    [Fact]
    public void ChurnCountsAtTheRequestOrAtThePeriodEndAsConfigured()
    {
        var states = new[]
        {
            State("s", "c", 0, SubscriptionStatus.Active, 2000),
            State("s", "c", 10, SubscriptionStatus.Active, 2000, cancel: true),
            State("s", "c", 31, SubscriptionStatus.Canceled, 2000),
        };

        var atEnd = new MrrLedger(states, MetricsPolicy.Default).Movements.Single(m => m.Kind == MovementKind.Churn);
        var atRequest = new MrrLedger(states, MetricsPolicy.Default with { Churn = ChurnRecognition.CancelRequest })
            .Movements.Single(m => m.Kind == MovementKind.Churn);

        Assert.Equal(T0.AddDays(31), atEnd.At);
        Assert.Equal(T0.AddDays(10), atRequest.At);
    }

    [Fact]
    public void ReturningCustomerIsReactivationNotNew()
    {
        var states = new[]
        {
            State("s1", "c", 0, SubscriptionStatus.Active, 2000), State("s1", "c", 10, SubscriptionStatus.Canceled, 2000),
            State("s2", "c", 20, SubscriptionStatus.Active, 3000),
        };

        Assert.Equal([MovementKind.New, MovementKind.Churn, MovementKind.Reactivation],
            new MrrLedger(states, MetricsPolicy.Default).Movements.Select(m => m.Kind));
    }

    [Fact]
    public void LtvIsArpaOverMonthlyLogoChurn()
    {
        // 20 customers at $100; one churns each month: churn 5% → LTV = 100 / 0.05 = 2000 (ChartMogul's example).
        var states = new List<SubscriptionState>();
        for (var i = 0; i < 20; i++)
        {
            states.Add(State($"s{i}", $"c{i}", 0, SubscriptionStatus.Active, 10000));
        }

        states.Add(State("s0", "c0", 40, SubscriptionStatus.Canceled, 10000));
        states.Add(State("n0", "n0", 40, SubscriptionStatus.Active, 10000));

        var report = SaasReport.Build(states, MetricsPolicy.Default, new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(0.05m, report.LogoChurnRate);
        Assert.Equal(200000m, report.LtvMinor);
    }

    [Fact]
    public void MrrAtStartPlusMovementsEqualsMrrAtEnd()
    {
        Check.QuickThrowOnFailure(Prop.ForAll<int[]>(raw =>
        {
            var states = raw.Select((r, i) => State(
                $"s{Math.Abs(r) % 7}", $"c{Math.Abs(r) % 5}", i, (Math.Abs(r) / 7 % 4) switch
                {
                    0 => SubscriptionStatus.Active, 1 => SubscriptionStatus.Canceled, 2 => SubscriptionStatus.Trialing, _ => SubscriptionStatus.PastDue,
                }, Math.Abs(r) % 5000, Math.Abs(r) % 2 == 0 ? BillingInterval.Monthly : BillingInterval.Yearly)).ToList();
            var ledger = new MrrLedger(states, MetricsPolicy.Default);
            var from = T0.AddDays(raw.Length / 3);
            var to = T0.AddDays(raw.Length);
            var window = ledger.Window(from, to);
            return window.StartTwelfths + window.MovementTwelfths.Values.Sum() == window.EndTwelfths;
        }));
    }
}
