using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Core.Time;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Billing;

/// <summary>
/// A request that changes a subscription after its trial or period ended, before the billing worker (every few seconds,
/// longer in an outage) has processed the end, is judged on the subscription as it stands at that instant.
/// </summary>
public abstract class DueWorkFirstContract : ApiContract
{
    private static readonly DateTimeOffset May1 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.BillingCatalog(), May1);

    /// <summary>Moves the server's clock as wall time passes, without the work that falls due (the worker has not run yet).</summary>
    private static void Pass(TollgateApp app, TimeSpan by) => ((ManualClock)app.Services.GetRequiredService<TimeProvider>()).Advance(by);

    [Fact]
    public async Task UndoingACancelAfterTheTrialEndedButBeforeTheWorkerRanIs409AndNothingIsBilled()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "basic", trialDays: 1);
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true })).EnsureSuccessStatusCode();
        Pass(app, TimeSpan.FromDays(1) + TimeSpan.FromMinutes(30));

        var undo = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/undo-cancel", new { });
        var problem = await undo.ReadAsync();
        await app.AdvanceAsync(TimeSpan.FromSeconds(10));
        var after = await app.SubscriptionAsync(id);

        Assert.Equal((HttpStatusCode.Conflict, "no_pending_cancel"), (undo.StatusCode, problem["error"].Value<string>()));
        Assert.Equal("canceled", after["status"].Value<string>());
        Assert.Empty(await app.InvoicesAsync("c1"));
    }

    [Fact]
    public async Task APlanChangeAfterThePeriodEndedRenewsOnTheOldPlanFirstThenProratesTheNewPeriod()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "silver", trialDays: 0);
        Pass(app, TimeSpan.FromDays(31) + TimeSpan.FromHours(1));

        var change = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "gold" })).ReadAsync();
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal(2, invoices.Count);
        Assert.Equal(("subscription_cycle", "silver"), (invoices[1]["billing_reason"].Value<string>(),
            invoices[1]["lines"]![0]!["plan"].Value<string>()));
        Assert.Equal(app.Instant(invoices[1]["period_start"]), app.Instant(change["subscription"]!["current_period_start"]));
        Assert.All(change["lines"]!.AsArray(), l => Assert.Equal(app.Instant(invoices[1]["period_end"]), app.Instant(l!["period_end"])));
    }

    [Fact]
    public async Task ACancelAtPeriodEndAfterThePeriodEndedEndsTheRenewedPeriodNotTheOneThatEnded()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var id = await app.SubscribeAsync("c1", "silver", trialDays: 0);
        Pass(app, TimeSpan.FromDays(31) + TimeSpan.FromHours(1));

        var cancel = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel", new { at_period_end = true });
        var body = await cancel.ReadAsync();

        // The period the cancel ends is the one that started at the renewal, not the one that had already ended.
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(2, (await app.InvoicesAsync("c1")).Count);
        Assert.True(DateTimeOffset.Parse(app.Instant(body["effective_at"])!, System.Globalization.CultureInfo.InvariantCulture) > May1.AddDays(40));
    }
}

public sealed class SqliteDueWorkFirstTests : DueWorkFirstContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresDueWorkFirstTests : DueWorkFirstContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does.</summary>
public sealed class TickingClockDueWorkFirstTests : DueWorkFirstContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
