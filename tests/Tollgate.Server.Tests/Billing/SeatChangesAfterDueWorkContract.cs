using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Core.Time;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// A seat change that arrives after a renewal or a trial end fell due, before the billing worker applied it: the due step
/// is applied first, on the seats held until then, and the seat change then prorates over the period that step started.
/// Each invoice shows each step once.
/// </summary>
public abstract class SeatChangesAfterDueWorkContract : ApiContract
{
    // PerSeatOverage's plans; these tests use team: 12.00 a seat a month, 100 calls a seat in each period, then 0.10 a call.
    private const string Catalog = PerSeatOverageContract.Catalog;

    private static readonly DateTimeOffset May1 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("seat-changes-after-due-work", Catalog), May1);

    /// <summary>Moves the server's clock as wall time passes, without the work that falls due (the worker has not run yet).</summary>
    private static void Pass(TollgateApp app, TimeSpan by) => ((ManualClock)app.Services.GetRequiredService<TimeProvider>()).Advance(by);

    private static async Task<string> SubscribeAsync(TollgateApp app, int seats, int trialDays = 0)
    {
        await app.CustomerAsync("c1");
        var response = await app.Admin.PostJsonAsync("/v1/subscriptions",
            new { customer = "c1", plan = "team", billing_period = "monthly", seats, trial_days = trialDays });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync())["id"].Value<string>()!;
    }

    private static async Task<JsonNode> SeatsAsync(TollgateApp app, string id, object body)
    {
        var response = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/seats", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync();
    }

    private static List<(string? Kind, long Quantity, long Amount)> Lines(JsonNode invoice) =>
        [.. invoice["lines"]!.AsArray()
            .Select(l => (l!["kind"].Value<string>(), l["quantity"].Value<long>(), l["amount_cents"].Value<long>()))];

    private static DateTimeOffset At(JsonNode? node) => DateTimeOffset.Parse(node.Value<string>()!, CultureInfo.InvariantCulture);

    /// <summary>
    /// What <paramref name="price"/> costs for the rest of the period after the line's start, by the second and rounded
    /// half-up once, worked out from the instants the server answered (a ticking clock's change lands some seconds late).
    /// </summary>
    private static long Prorated(long price, JsonNode line, JsonNode subscription)
    {
        var left = (long)(At(line["period_end"]) - At(line["period_start"])).TotalSeconds;
        var total = (long)(At(subscription["current_period_end"]) - At(subscription["current_period_start"])).TotalSeconds;
        return (long)Math.Floor((price * (decimal)left / total) + 0.5m);
    }

    [Fact]
    public async Task SeatsAddedAfterTheRenewalFellDueRenewOnTheOldSeatsWithTheirOverageThenProrateOverTheNewPeriod()
    {
        await using var app = await AppAsync();
        var id = await SubscribeAsync(app, seats: 3);
        await app.ConsumeAsync("c1", "calls", 350); // 50 past May's 3 × 100
        Pass(app, TimeSpan.FromDays(31) + TimeSpan.FromHours(1)); // Jun 1 01:00, the Jun 1 renewal not applied yet

        var added = await SeatsAsync(app, id, new { seats = 5 });
        var afterChange = await app.InvoicesAsync("c1");
        await app.ConsumeAsync("c1", "calls", 520); // 20 past June's 5 × 100
        await app.AdvanceToAsync(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
        var invoices = await app.InvoicesAsync("c1");

        // Jun 1: June on the 3 seats held then, and May's 50 calls past 300 at 10¢ (not past the 500 of 5 seats: nothing).
        // The 2 seats added at Jun 1 01:00 are charged 2 × 12.00 for 719 of June's 720 hours: 2,400 × 719/720 = 2,396.67,
        // 2,397 on the Jul 1 invoice with July's 5 seats and June's 20 calls past 500.
        var charge = added["lines"]!.AsArray().Single()!;
        var prorated = Prorated(2400, charge, added["subscription"]!);
        Assert.Equal(("proration_charge", prorated), (charge["kind"].Value<string>(), charge["amount_cents"].Value<long>()));
        Assert.Equal(At(afterChange[1]["period_start"]), At(added["subscription"]!["current_period_start"]));
        Assert.Equal(2, afterChange.Count);
        Assert.Equal([("recurring", 3L, 3600L), ("overage", 50L, 500L)], Lines(afterChange[1]));
        Assert.Equal(3, invoices.Count);
        Assert.Equal([("recurring", 5L, 6000L), ("overage", 20L, 200L), ("proration_charge", 2L, prorated)], Lines(invoices[2]));
        if (!TickingClock)
        {
            Assert.Equal(2397L, prorated);
            Assert.Equal(6000L + 200 + 2397, invoices[2]["subtotal_cents"].Value<long>());
        }
    }

    [Fact]
    public async Task SeatsRemovedAtThePeriodEndAfterTheRenewalFellDueLeaveAtTheEndOfThePeriodThatRenewalStarted()
    {
        await using var app = await AppAsync();
        var id = await SubscribeAsync(app, seats: 5);
        Pass(app, TimeSpan.FromDays(31) + TimeSpan.FromHours(1));

        var removed = await SeatsAsync(app, id, new { seats = 3 });
        await app.AdvanceToAsync(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
        var invoices = await app.InvoicesAsync("c1");

        // June renewed on the 5 seats held when it fell due; the 3 apply from July, not from the June that had already begun.
        Assert.Equal(("period_end", 5, 3), (removed["effective"].Value<string>(), removed["subscription"]!["seats"].Value<int>(),
            removed["subscription"]!["pending_seats"].Value<int>()));
        Assert.Equal(app.Instant(removed["subscription"]!["current_period_end"]), app.Instant(removed["effective_at"]));
        Assert.Equal([[("recurring", 5L, 6000L)], [("recurring", 5L, 6000L)], [("recurring", 3L, 3600L)]], invoices.Select(Lines));
    }

    [Fact]
    public async Task SeatsRemovedAtOnceAfterTheRenewalFellDueAreCreditedForTheRestOfTheNewPeriodAndLowerItsLimit()
    {
        await using var app = await AppAsync();
        var id = await SubscribeAsync(app, seats: 5);
        Pass(app, TimeSpan.FromDays(31) + TimeSpan.FromHours(1));

        var removed = await SeatsAsync(app, id, new { seats = 3, effective = "immediate" });
        var consumed = await (await app.ConsumeAsync("c1", "calls", 320)).ReadAsync();
        await app.AdvanceToAsync(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
        var invoices = await app.InvoicesAsync("c1");

        // June renewed on 5 seats (6,000); the 2 removed at Jun 1 01:00 are credited 2,400 × 719/720 = 2,396.67, −2,397, on the
        // Jul 1 invoice, and June's limit is 3 × 100 from the removal on: 320 calls are 20 past it, 200.
        var credit = removed["lines"]!.AsArray().Single()!;
        var prorated = Prorated(2400, credit, removed["subscription"]!);
        Assert.Equal(("proration_credit", -prorated), (credit["kind"].Value<string>(), credit["amount_cents"].Value<long>()));
        Assert.Equal((300L, 20L), (consumed["limit"].Value<long>(), consumed["overage"].Value<long>()));
        Assert.Equal([("recurring", 5L, 6000L)], Lines(invoices[1]));
        Assert.Equal([("recurring", 3L, 3600L), ("overage", 20L, 200L), ("proration_credit", 2L, -prorated)], Lines(invoices[2]));
        if (!TickingClock)
        {
            Assert.Equal(2397L, prorated);
        }
    }

    [Fact]
    public async Task SeatsAddedAfterTheTrialEndedConvertItOnTheTrialsSeatsThenProrateOverTheFirstPaidPeriod()
    {
        await using var app = await AppAsync();
        var id = await SubscribeAsync(app, seats: 3, trialDays: 14);
        await app.ConsumeAsync("c1", "calls", 350); // in the trial: never billed
        Pass(app, TimeSpan.FromDays(14) + TimeSpan.FromHours(2)); // May 15 02:00, the trial's end not applied yet

        var added = await SeatsAsync(app, id, new { seats = 5 });
        var converted = await app.InvoicesAsync("c1");
        await app.AdvanceToAsync(new DateTimeOffset(2026, 6, 15, 0, 0, 0, TimeSpan.Zero));
        var invoices = await app.InvoicesAsync("c1");

        // The trial converts at May 15 00:00 on its 3 seats (3,600 for May 15 – Jun 15); the 2 seats added at 02:00 are charged
        // for 742 of that period's 744 hours: 2,400 × 742/744 = 2,393.55, 2,394 on the Jun 15 invoice. Charged while the
        // trial was still running, they would have cost nothing and the conversion would have billed 5 seats.
        var charge = added["lines"]!.AsArray().Single()!;
        var prorated = Prorated(2400, charge, added["subscription"]!);
        Assert.Equal(("active", "proration_charge", prorated),
            (added["subscription"]!["status"].Value<string>(), charge["kind"].Value<string>(), charge["amount_cents"].Value<long>()));
        Assert.Equal([("recurring", 3L, 3600L)], Lines(Assert.Single(converted)));
        Assert.Equal([("recurring", 5L, 6000L), ("proration_charge", 2L, prorated)], Lines(invoices[1]));
        Assert.Equal(2, invoices.Count);
        if (!TickingClock)
        {
            Assert.Equal(2394L, prorated);
        }
    }
}

public sealed class SqliteSeatChangesAfterDueWorkTests : SeatChangesAfterDueWorkContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresSeatChangesAfterDueWorkTests : SeatChangesAfterDueWorkContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does.</summary>
public sealed class TickingClockSeatChangesAfterDueWorkTests : SeatChangesAfterDueWorkContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
