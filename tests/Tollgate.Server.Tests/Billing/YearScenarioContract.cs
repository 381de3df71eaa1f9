using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// A simulated year of 2026 on the test clock: trial, upgrade, overage, downgrade, cancel and reactivation for one
/// customer, a yearly plan canceled with credit for another; every invoice and metric worked out by hand below.
/// </summary>
public abstract class YearScenarioContract : ApiContract
{
    private static DateTimeOffset Utc(int y, int m, int d) => new(y, m, d, 0, 0, 0, TimeSpan.Zero);

    private static long[] Amounts(JsonNode invoice) => [.. invoice["lines"]!.AsArray().Select(l => l!["amount_cents"].Value<long>())];

    [Fact]
    public async Task AYearOfTrialUpgradeOverageDowngradeCancelAndReactivationBillsAndMeasuresExactly()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog(), Utc(2026, 1, 1));
        await app.CustomerAsync("ada");
        await app.CustomerAsync("bob");
        var ada = await app.SubscribeAsync("ada", "basic", collection: "charge_automatically");            // Jan 1: 14-day trial
        await app.AdvanceToAsync(Utc(2026, 1, 10));
        var bob = await app.SubscribeAsync("bob", "pro", "yearly", collection: "charge_automatically");    // Jan 10: $300/year
        await app.AdvanceToAsync(Utc(2026, 2, 1));                                                        // Jan 15: trial converts
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{ada}/change", new { plan = "pro" });            // Feb 1: upgrade at once
        await app.AdvanceToAsync(Utc(2026, 2, 20));                                                       // Feb 15: renews on pro
        await app.ConsumeAsync("ada", "api_calls", 1500);                                                 // 500 past the soft cap
        await app.AdvanceToAsync(Utc(2026, 3, 10));
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{ada}/change", new { plan = "basic" });          // downgrade at period end
        await app.AdvanceToAsync(Utc(2026, 4, 5));                                                        // Mar 15: renews on basic
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{ada}/cancel", new { at_period_end = true });
        await app.AdvanceToAsync(Utc(2026, 6, 1));                                                        // Apr 15: ends
        var ada2 = await app.SubscribeAsync("ada", "basic", trialDays: 0, collection: "charge_automatically"); // Jun 1: comes back
        await app.AdvanceToAsync(Utc(2026, 7, 10));
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{bob}/cancel", new { at_period_end = false, credit_unused = true });
        await app.AdvanceToAsync(Utc(2026, 12, 31));

        var adaInvoices = await app.InvoicesAsync("ada");
        var bobInvoices = await app.InvoicesAsync("bob");

        // Ada: Jan 15 first paid month; Feb 15 pro plus the Feb 1 proration (14 of 31 days: −1000×14/31 = −452,
        // +3000×14/31 = +1355); Mar 15 basic plus 500 calls of overage at 1¢ on pro's terms; Apr 15 nothing to bill;
        // Jun 1 her return, then a renewal on the first of each month through Dec 1.
        Assert.Equal(10, adaInvoices.Count);
        Assert.Equal([1000L], Amounts(adaInvoices[0]));
        Assert.Equal([3000L, -452L, 1355L], Amounts(adaInvoices[1]));
        Assert.Equal([1000L, 500L], Amounts(adaInvoices[2]));
        Assert.All(adaInvoices.Skip(3), i => Assert.Equal([1000L], Amounts(i)));
        Assert.Equal(["2026-01-15", "2026-02-15", "2026-03-15", "2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01",
            "2026-11-01", "2026-12-01"], adaInvoices.Select(i => i["issued_at"].Value<string>()![..10]));
        Assert.Equal("canceled", (await app.SubscriptionAsync(ada))["status"].Value<string>());
        Assert.Equal("active", (await app.SubscriptionAsync(ada2))["status"].Value<string>());

        // Bob: $300 on Jan 10; canceled on Jul 10 with 184 of 365 days unused: −30000×184/365 = −15123, kept as credit.
        Assert.Equal([30000L], Amounts(bobInvoices[0]));
        Assert.Equal([-15123L], Amounts(bobInvoices[1]));
        var balance = await (await app.Admin.GetAsync("/v1/customers/bob/invoices")).ReadAsync();
        Assert.Equal(-15123, balance["balance_cents"]!["USD"].Value<long>());

        // Invoice numbers interleave both customers in time order.
        Assert.Equal("TG-2026-000001", bobInvoices[0]["number"].Value<string>());
        Assert.Equal("TG-2026-000002", adaInvoices[0]["number"].Value<string>());
        Assert.Equal("TG-2026-000007", bobInvoices[1]["number"].Value<string>());

        // MRR: Bob new +25 (Jan 10); Ada new +10 (Jan 15), expansion +20 (Feb 1), contraction −20 (Mar 15), churn −10 (Apr 15),
        // reactivation +10 (Jun 1); Bob churn −25 (Jul 10). 0 + 35 + 20 − 20 − 35 + 10 = 10.
        var stats = await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-01-01&to=2027-01-01")).ReadAsync();
        Assert.Equal((0m, 10m, 120m, 10m), (stats["mrr_start"].Value<decimal>(), stats["mrr"].Value<decimal>(), stats["arr"].Value<decimal>(),
            stats["arpa"].Value<decimal>()));
        var moves = stats["movements"]!;
        Assert.Equal((35m, 20m, -20m, -35m, 10m), (moves["new"].Value<decimal>(), moves["expansion"].Value<decimal>(),
            moves["contraction"].Value<decimal>(), moves["churn"].Value<decimal>(), moves["reactivation"].Value<decimal>()));
        Assert.Equal((1, 1, 1m, 1, 1), (stats["trials_ended"].Value<int>(), stats["trials_converted"].Value<int>(),
            stats["trial_conversion_rate"].Value<decimal>(), stats["upgrades"].Value<int>(), stats["downgrades"].Value<int>()));
        Assert.Equal(1.1818m, stats["quick_ratio"].Value<decimal>()); // (35 + 20 + 10) / (35 + 20)
        Assert.Equal(110m, stats["ltv"].Value<decimal>()); // ARPA 10 / average monthly logo churn (0.5 in April and July, 0 in nine other months) = 1/11
        Assert.Null(stats["logo_churn_rate"]); // nobody paid at the window's start
        var series = stats["series"]!.AsArray().ToDictionary(m => m!["month"].Value<string>()!, m => m!["mrr"].Value<decimal>());
        Assert.Equal([35m, 55m, 35m, 25m, 25m, 35m, 10m, 10m, 10m, 10m, 10m, 10m], series.Values);

        var july = await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-07-01&to=2026-08-01")).ReadAsync();
        Assert.Equal((2, 1, 0.5m), (july["paying_customers_start"].Value<int>(), july["churned_customers"].Value<int>(),
            july["logo_churn_rate"].Value<decimal>()));
        Assert.Equal((0.7143m, 0.7143m), (july["gross_mrr_churn_rate"].Value<decimal>(), july["net_mrr_churn_rate"].Value<decimal>())); // 25 / 35
    }
}

public sealed class SqliteYearScenarioTests : YearScenarioContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresYearScenarioTests : YearScenarioContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does: two readings in one operation differ here.</summary>
public sealed class TickingClockYearScenarioTests : YearScenarioContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
