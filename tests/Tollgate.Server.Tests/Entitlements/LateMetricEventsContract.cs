using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Server.Billing;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

/// <summary>
/// Late events (issue 32, worked example 3): an event dated in a closed, invoiced window is re-rated on the next invoice
/// as one late_usage line, once, even when renewals run at once on several nodes; one that changes nothing adds nothing,
/// and one later than Tollgate:Events:LateDays refuses the whole request.
/// </summary>
public abstract class LateMetricEventsContract : ApiContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [
            { "code": "storage", "name": "Storage", "unit": "GB", "kind": "metered" },
            { "code": "seats", "name": "Seats", "kind": "metered" },
            { "code": "api_calls", "name": "API calls", "kind": "metered" }
          ],
          "metrics": [
            { "code": "peak_gb", "name": "Peak storage", "event": "storage", "aggregation": "max", "property": "gb" },
            { "code": "seat_count", "name": "Seats", "event": "seats_changed", "aggregation": "latest", "property": "seats" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "api_calls", "limit": 100 } ] },
            { "code": "pro", "name": "Pro", "prices": [ { "billing_period": "monthly", "price_cents": 2000 } ],
              "features": [
                { "feature_code": "storage", "limit": 5, "hard_cap": false, "overage_unit_price_cents": 25, "metric": "peak_gb" },
                { "feature_code": "seats", "limit": 2, "hard_cap": false, "overage_unit_price_cents": 100, "metric": "seat_count" },
                { "feature_code": "api_calls", "limit": 100 } ] },
            { "code": "team", "name": "Team",
              "prices": [ { "billing_period": "monthly", "price_cents": 1000, "per_seat": true, "included_seats": 1, "max_seats": 50 } ],
              "features": [
                { "feature_code": "storage", "limit": 5, "per_seat": true, "hard_cap": false, "overage_unit_price_cents": 25, "metric": "peak_gb" },
                { "feature_code": "api_calls", "limit": 100 } ] },
            { "code": "business", "name": "Business", "prices": [ { "billing_period": "monthly", "price_cents": 9000 } ],
              "features": [
                { "feature_code": "storage", "limit": 500, "hard_cap": false, "overage_unit_price_cents": 10, "metric": "peak_gb" },
                { "feature_code": "api_calls", "limit": 1000 } ] }
          ]
        }
        """;

    private static readonly DateTimeOffset Oct1 = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Oct20 = new(2026, 10, 20, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A customer on pro since Oct 1 whose October peak of 7 GB (events 3, 7, 5; limit 5) was invoiced on Nov 1.</summary>
    private async Task<TollgateApp> InvoicedOctoberAsync()
    {
        var app = await StartAsync(Settings(), Oct1);
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro", collection: "send_invoice");
        await app.AdvanceToAsync(Oct1.AddDays(9));
        Assert.Equal(HttpStatusCode.OK, (await TrackAsync(app, Storage("g1", 3), Storage("g2", 7), Storage("g3", 5))).StatusCode);
        Assert.Equal(7, (await UsageAsync(app, "storage"))["used"].Value<long>());
        await app.AdvanceToAsync(Oct1.AddMonths(1));
        Assert.Equal([("overage", 2L, 50L)], Lines((await app.InvoicesAsync("c1"))[^1], "overage", "late_usage"));
        return app;
    }

    /// <summary>Invoices sent for payment and due in a year, so no subscription falls past due in the months a test walks.</summary>
    private static Dictionary<string, string?> Settings()
    {
        var settings = ApiSetup.CatalogOf("late-events", Catalog);
        settings["Tollgate:Billing:DaysUntilDue"] = "365";
        return settings;
    }

    private static Task<HttpResponseMessage> TrackAsync(TollgateApp app, params object[] events) =>
        app.Admin.PostJsonAsync("/v1/events", new { events });

    private static object Storage(string id, long gb, DateTimeOffset? at = null) =>
        new { id, customer = "c1", @event = "storage", timestamp = at?.ToString("O", System.Globalization.CultureInfo.InvariantCulture), properties = new { gb } };

    private static async Task<JsonNode> UsageAsync(TollgateApp app, string feature) =>
        (await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync())["features"]![feature]!;

    private static List<(string Kind, long Quantity, long Amount)> Lines(JsonNode invoice, params string[] kinds) =>
        [.. invoice["lines"]!.AsArray().Where(l => kinds.Contains(l!["kind"].Value<string>()))
            .Select(l => (l!["kind"].Value<string>()!, l["quantity"].Value<long>(), l["amount_cents"].Value<long>()))];

    private static List<JsonNode> LateLines(JsonNode invoice) =>
        [.. invoice["lines"]!.AsArray().Where(l => l!["kind"].Value<string>() == "late_usage").Select(l => l!)];

    private static async Task<JsonNode> UpcomingAsync(TollgateApp app) =>
        await (await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice")).ReadAsync();

    [Fact]
    public async Task ALateNineForAnOctoberInvoicedAtSevenAddsOneLateUsageLineFor2GbOnTheNextInvoiceOnly()
    {
        await using var app = await InvoicedOctoberAsync();
        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(2));

        var late = await TrackAsync(app, Storage("g4", 9, Oct20));

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal(1, (await late.ReadAsync())["accepted"].Value<int>());
        Assert.Equal(0, (await UsageAsync(app, "storage"))["used"].Value<long>()); // November's window is untouched
        var preview = LateLines(await UpcomingAsync(app));
        Assert.Equal([("Storage (GB), late usage for Oct 1 - Nov 1 2026", 2L, 25L, 50L)], preview.Select(Described));

        // Renewals on several nodes at once: one issues December's invoice, and the re-rating goes on it once.
        var cycle = app.Get<BillingCycle>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => cycle.RunRenewalsAsync(Oct1.AddMonths(2).AddHours(1))));
        await app.AdvanceToAsync(Oct1.AddMonths(2).AddHours(1));
        await app.AdvanceToAsync(Oct1.AddMonths(3).AddHours(1));
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal(4, invoices.Count);
        Assert.Equal([("Storage (GB), late usage for Oct 1 - Nov 1 2026", 2L, 25L, 50L)], LateLines(invoices[2]).Select(Described));
        Assert.Equal(2000 + 50, invoices[2]["amount_due_cents"].Value<long>());
        Assert.Empty(LateLines(invoices[3]));
        Assert.Empty(LateLines(invoices[1])); // an issued invoice never changes
        Assert.Empty(LateLines(await UpcomingAsync(app)));
    }

    [Fact]
    public async Task ALateEventIsReRatedOnThePlanThatBilledItsWindowNotOneChangedToSince()
    {
        // October billed 2 GB over Pro's 5 at 25¢; an upgrade to Business (500 GB) on Nov 2 must not turn a late 9 into a
        // credit of October's overage: it is 4 GB over Pro's limit, 2 more than billed.
        await using var app = await InvoicedOctoberAsync();
        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(1));
        var subscription = (await (await app.Admin.GetAsync("/v1/customers/c1/subscriptions")).ReadAsync())["data"]![0]!["id"].Value<string>();
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.PostJsonAsync($"/v1/subscriptions/{subscription}/change", new { plan = "business" })).StatusCode);

        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(2));
        Assert.Equal(HttpStatusCode.OK, (await TrackAsync(app, Storage("g4", 9, Oct20))).StatusCode);
        await app.AdvanceToAsync(Oct1.AddMonths(2).AddHours(1));

        var late = LateLines((await app.InvoicesAsync("c1"))[^1]);
        Assert.Equal([(2L, 50L)], late.Select(l => (l["quantity"].Value<long>(), l["amount_cents"].Value<long>())));
    }

    [Fact]
    public async Task ALateEventIsReRatedPastTheSeatsItsWindowWasBilledOnNotSeatsAddedSince()
    {
        // October: 3 seats × 5 GB, a 17 GB peak billed 2 over. Two seats added on Nov 2 must not turn a late 18 into a
        // credit of October's overage (it re-rated against 25 GB and credited 50¢): it is 3 over 15, 1 more than billed.
        await using var app = await StartAsync(Settings(), Oct1);
        await app.CustomerAsync("c1");
        var created = await app.Admin.PostJsonAsync("/v1/subscriptions",
            new { customer = "c1", plan = "team", billing_period = "monthly", seats = 3, collection_method = "send_invoice" });
        var subscription = (await created.ReadAsync())["id"].Value<string>();
        await app.AdvanceToAsync(Oct1.AddDays(9));
        Assert.Equal(HttpStatusCode.OK, (await TrackAsync(app, Storage("g1", 17))).StatusCode);
        await app.AdvanceToAsync(Oct1.AddMonths(1));
        Assert.Equal([("overage", 2L, 50L)], Lines((await app.InvoicesAsync("c1"))[^1], "overage", "late_usage"));

        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(1));
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.PostJsonAsync($"/v1/subscriptions/{subscription}/seats", new { seats = 5 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TrackAsync(app, Storage("g4", 18, Oct20))).StatusCode);
        await app.AdvanceToAsync(Oct1.AddMonths(2).AddHours(1));

        Assert.Equal([("late_usage", 1L, 25L)], Lines((await app.InvoicesAsync("c1"))[^1], "late_usage"));
    }

    [Fact]
    public async Task ALateEventThatLeavesThePeakWhereItWasAddsNoLine()
    {
        await using var app = await InvoicedOctoberAsync();
        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(2));

        var late = await TrackAsync(app, Storage("g4", 4, Oct20));
        await app.AdvanceToAsync(Oct1.AddMonths(2).AddHours(1));

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Empty(LateLines((await app.InvoicesAsync("c1"))[^1]));
    }

    [Fact]
    public async Task ARetryOfALateEventKeptInTimeIsADuplicateEvenAfterLateDaysHavePassed()
    {
        await using var app = await InvoicedOctoberAsync();
        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(6));
        var first = await TrackAsync(app, Storage("g4", 9, Oct20));

        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(8));
        var retry = await TrackAsync(app, Storage("g4", 9, Oct20));

        Assert.Equal(1, (await first.ReadAsync())["accepted"].Value<int>());
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(["g4"], (await retry.ReadAsync())["duplicates"]!.AsArray().Select(d => d.Value<string>()));
    }

    [Fact]
    public async Task AnEventLaterThanLateDaysIs400EventTooLateNamingItsTimestampAndWritesNothingOfTheBatch()
    {
        await using var app = await InvoicedOctoberAsync();
        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(8));

        var response = await TrackAsync(app, Storage("now", 6), Storage("old", 9, Oct20),
            new { id = "a1", customer = "c1", feature = "api_calls", amount = 3 });
        var problem = await response.ReadAsync();
        var (storage, calls) = ((await UsageAsync(app, "storage"))["used"].Value<long>(), (await UsageAsync(app, "api_calls"))["used"].Value<long>());
        var retried = await TrackAsync(app, Storage("now", 6)); // the id was not kept: the event counts when sent again
        await app.AdvanceToAsync(Oct1.AddMonths(2).AddHours(1));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("event_too_late", problem["error"].Value<string>());
        Assert.Contains("closed at 2026-11-01", problem["errors"]!["events[1].timestamp"].Value<string>());
        Assert.Equal((0L, 0L), (storage, calls));
        Assert.Equal(1, (await retried.ReadAsync())["accepted"].Value<int>());
        Assert.Empty(LateLines((await app.InvoicesAsync("c1"))[^1]));
    }

    [Fact]
    public async Task ALateEventDatedInTheTrialAddsNoLateUsageLineSinceATrialBillsNothing()
    {
        await using var app = await StartAsync(Settings(), Oct1);
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro", trialDays: 14, collection: "send_invoice");
        await app.AdvanceToAsync(Oct1.AddDays(16));

        var late = await (await TrackAsync(app, Storage("in-trial", 90, Oct1.AddDays(9)))).ReadAsync();
        var upcoming = await (await app.Admin.GetAsync("/v1/customers/c1/upcoming-invoice")).ReadAsync();

        Assert.Equal(1, late["accepted"].Value<int>());
        Assert.Empty(LateLines(upcoming));
    }

    [Fact]
    public async Task AnEventDatedBeforeAnImmediateCancelIsRejectedNotKeptUnbilled()
    {
        // The cancel's final invoice billed the period to that instant; an event dated in it, sent after, was kept and
        // folded into a window no invoice would ever bill again (a new subscription starts after it).
        await using var app = await StartAsync(Settings(), Oct1);
        await app.CustomerAsync("c1");
        var subscription = await app.SubscribeAsync("c1", "pro", collection: "send_invoice");
        await app.AdvanceToAsync(Oct20);
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{subscription}/cancel", new { at_period_end = false })).EnsureSuccessStatusCode();
        var canceledAt = app.Clock.GetUtcNow();

        var late = await (await TrackAsync(app, Storage("before-cancel", 40, canceledAt.AddHours(-1)), Storage("after-cancel", 1))).ReadAsync();

        Assert.Equal(1, late["accepted"].Value<int>()); // the one dated after the cancel counts under the plan the customer now has
        var rejected = Assert.Single(late["rejected"]!.AsArray());
        Assert.Equal(0, rejected!["index"].Value<int>());
        Assert.StartsWith("timestamp: is before the customer's subscription ended", rejected["reason"].Value<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEventDatedBeforeTheSubscriptionBeganIsRejectedNotFoldedIntoAWindowItNeverHad()
    {
        await using var app = await StartAsync(Settings(), Oct1);
        await app.CustomerAsync("c1");
        await app.AdvanceToAsync(Oct20);
        await app.SubscribeAsync("c1", "pro", collection: "send_invoice");
        var subscribedAt = app.Clock.GetUtcNow();

        var response = await (await TrackAsync(app, Storage("before", 9, Oct1.AddDays(2)), Storage("after", 3, subscribedAt))).ReadAsync();

        Assert.Equal(1, response["accepted"].Value<int>());
        Assert.StartsWith("timestamp: is before the customer's subscription began", response["rejected"]![0]!["reason"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(3, (await UsageAsync(app, "storage"))["used"].Value<long>());
    }

    [Fact]
    public async Task ALateLatestThatFallsCreditsTheSeatsBilledAboveIt()
    {
        await using var app = await StartAsync(Settings(), Oct1);
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro", collection: "send_invoice");
        await app.AdvanceToAsync(Oct1.AddDays(9));
        await TrackAsync(app, new { id = "s1", customer = "c1", @event = "seats_changed", properties = new { seats = 5 } });
        await app.AdvanceToAsync(Oct1.AddMonths(1).AddDays(1));

        var late = await TrackAsync(app, new { id = "s2", customer = "c1", @event = "seats_changed", timestamp = "2026-10-25T00:00:00Z", properties = new { seats = 3 } });
        await app.AdvanceToAsync(Oct1.AddMonths(2).AddHours(1));
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal([("overage", 3L, 300L)], Lines(invoices[1], "overage"));
        Assert.Equal([("Seats, late usage for Oct 1 - Nov 1 2026", -2L, 100L, -200L)], LateLines(invoices[^1]).Select(Described));
    }

    private static (string, long, long, long) Described(JsonNode line) =>
        (line["description"].Value<string>()!, line["quantity"].Value<long>(), line["unit_amount_cents"].Value<long>(), line["amount_cents"].Value<long>());
}

public sealed class SqliteLateMetricEventsTests : LateMetricEventsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresLateMetricEventsTests : LateMetricEventsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same late events with the clock running, as it does in production.</summary>
public sealed class SqliteTickingLateMetricEventsTests : LateMetricEventsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
