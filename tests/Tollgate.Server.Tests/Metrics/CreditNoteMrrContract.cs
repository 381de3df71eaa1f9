using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Metrics;

/// <summary>A credit note on a recurring fee lowers MRR over the credited period, as a discount would (docs/metrics.md).</summary>
public abstract class CreditNoteMrrContract : ApiContract
{
    private static readonly DateTimeOffset Start = new(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);

    private static decimal Move(JsonNode stats, string kind) => stats["movements"]![kind].Value<decimal>();

    private async Task<JsonNode> CreditFourDollarsOfTheFirstMonthAsync(bool lowerMrr)
    {
        var settings = ApiSetup.BillingCatalog("Tollgate:Metrics:CreditNotesLowerMrr", lowerMrr ? "true" : "false");
        await using var app = await StartAsync(settings, Start);
        await app.CustomerAsync("ada");
        await app.SubscribeAsync("ada", "basic", trialDays: 0); // $10 a month, first invoice for Jan 10 – Feb 10
        await app.AdvanceToAsync(Start.AddDays(10));
        var invoice = (await app.InvoicesAsync("ada")).Single()["id"].Value<string>();
        var note = await app.Admin.PostJsonAsync($"/v1/invoices/{invoice}/credit-notes", new { amount_cents = 400, reason = "order_change" });
        note.EnsureSuccessStatusCode();
        await app.AdvanceToAsync(Start.AddDays(40)); // renewed on Feb 10 at the full price

        return await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-01-01&to=2026-03-01")).ReadAsync();
    }

    [Fact]
    public async Task ACreditNoteOnTheFirstMonthLowersItsMrrAndTheRenewalIsAnExpansion()
    {
        var stats = await CreditFourDollarsOfTheFirstMonthAsync(lowerMrr: true);
        var january = stats["series"]![0]!;

        // $10 less $4 credited over Jan 10 – Feb 10: new business of $6, back to $10 on Feb 10.
        Assert.Equal(6m, Move(stats, "new"));
        Assert.Equal(4m, Move(stats, "expansion"));
        Assert.Equal(10m, stats["mrr"].Value<decimal>());
        Assert.Equal(6m, january["mrr"].Value<decimal>());
        Assert.Equal(stats["mrr"].Value<decimal>(), stats["mrr_start"].Value<decimal>() + new[] { "new", "expansion", "contraction", "churn", "reactivation" }
            .Sum(k => Move(stats, k)));
    }

    [Fact]
    public async Task WithCreditNotesLowerMrrOffACreditNoteLeavesMrrAlone()
    {
        var stats = await CreditFourDollarsOfTheFirstMonthAsync(lowerMrr: false);

        Assert.Equal(10m, Move(stats, "new"));
        Assert.Equal(0m, Move(stats, "expansion"));
        Assert.Equal(10m, stats["series"]![0]!["mrr"].Value<decimal>());
    }

    [Fact]
    public async Task ThePlansListMrrIsLoweredByACreditNoteOverTheCreditedPeriodAsTheSaasMrrIs()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog(), Start);
        await app.CustomerAsync("ada");
        await app.SubscribeAsync("ada", "basic", trialDays: 0); // $10 a month, Jan 10 – Feb 10
        await app.AdvanceToAsync(Start.AddDays(10));
        var invoice = (await app.InvoicesAsync("ada")).Single()["id"].Value<string>();
        (await app.Admin.PostJsonAsync($"/v1/invoices/{invoice}/credit-notes", new { amount_cents = 400, reason = "order_change" })).EnsureSuccessStatusCode();

        var credited = await BasicMrrAsync(app);
        var saas = await (await app.Admin.GetAsync("/v1/admin/stats/saas?from=2026-01-01&to=2026-01-21")).ReadAsync();
        await app.AdvanceToAsync(Start.AddDays(40)); // renewed on Feb 10 at the full price
        var renewed = await BasicMrrAsync(app);

        Assert.Equal((6.00m, 6m), (credited, saas["mrr"].Value<decimal>()));
        Assert.Equal(10.00m, renewed);
    }

    [Fact]
    public async Task WithCreditNotesLowerMrrOffThePlansListMrrIgnoresACreditNote()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog("Tollgate:Metrics:CreditNotesLowerMrr", "false"), Start);
        await app.CustomerAsync("ada");
        await app.SubscribeAsync("ada", "basic", trialDays: 0);
        var invoice = (await app.InvoicesAsync("ada")).Single()["id"].Value<string>();
        (await app.Admin.PostJsonAsync($"/v1/invoices/{invoice}/credit-notes", new { amount_cents = 400, reason = "order_change" })).EnsureSuccessStatusCode();

        Assert.Equal(10.00m, await BasicMrrAsync(app));
    }

    private static async Task<decimal> BasicMrrAsync(TollgateApp app) =>
        (await (await app.Admin.GetAsync("/v1/admin/stats/plans?days=1")).ReadAsync()).AsArray()
            .Single(p => p!["plan"].Value<string>() == "basic")!["mrr_usd"].Value<decimal>();
}

public sealed class SqliteCreditNoteMrrTests : CreditNoteMrrContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCreditNoteMrrTests : CreditNoteMrrContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingCreditNoteMrrTests : CreditNoteMrrContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
