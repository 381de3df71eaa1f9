using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Storage.Retention;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Retention;

/// <summary>
/// Rows made per call or per page view go too: a settled reservation after Tollgate:Retention:EventsDays (with the usage
/// event its commit wrote), a customer session a day after it expired. A held reservation and a live session stay.
/// </summary>
public abstract class ReservationAndSessionRetentionContract : ApiContract
{
    private Task<TollgateApp> StartWithRetentionAsync()
    {
        var settings = ApiSetup.LlmCatalog();
        settings["Tollgate:Retention:EventsDays"] = "40";
        settings["Tollgate:Retention:Interval"] = "3650.00:00:00"; // the test prunes by hand
        return StartAsync(settings);
    }

    private static Task<RetentionReport> PruneAsync(TollgateApp app) => app.Get<RetentionPruner>().PruneAsync(app.Clock.GetUtcNow());

    private static Task<long> CountAsync(TollgateApp app, string table) =>
        app.Get<TollgateDatabase>().ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"));

    private static async Task<string> ReserveAsync(TollgateApp app, int ttlSeconds = 60) =>
        (await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1", feature = "export", amount = 1, ttl_seconds = ttlSeconds }))
            .ReadAsync())["id"].Value<string>()!;

    [Fact]
    public async Task SettledReservationsGoAfterEventsDaysAndASettlementRetriedWithinThemAnswersAsTheFirstDid()
    {
        await using var app = await StartWithRetentionAsync();
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");
        var committed = await ReserveAsync(app);
        var released = await ReserveAsync(app);
        var first = (await (await app.Admin.PostJsonAsync($"/v1/reservations/{committed}/commit", new { amount = 1 })).ReadAsync()).ToJsonString();
        (await app.Admin.PostAsync($"/v1/reservations/{released}/release", null)).EnsureSuccessStatusCode();

        await app.AdvanceAsync(TimeSpan.FromDays(39));
        var within = await PruneAsync(app);
        var retriedWithin = await app.Admin.PostJsonAsync($"/v1/reservations/{committed}/commit", new { amount = 1 });
        var held = await ReserveAsync(app, ttlSeconds: 3600);
        await app.AdvanceAsync(TimeSpan.FromDays(2));
        var past = await PruneAsync(app);
        var retriedPast = await app.Admin.PostJsonAsync($"/v1/reservations/{committed}/commit", new { amount = 1 });
        var left = await app.Get<TollgateDatabase>().ReadAsync(async c => (await c.QueryAsync<string>("SELECT id FROM reservations")).ToList());

        Assert.Equal(0, within.Reservations);
        Assert.Equal((HttpStatusCode.OK, first), (retriedWithin.StatusCode, (await retriedWithin.ReadAsync()).ToJsonString())); // the period it was in ended 9 days ago
        Assert.Equal(2, past.Reservations);
        Assert.Equal([held], left);
        Assert.Equal(HttpStatusCode.NotFound, retriedPast.StatusCode);
    }

    [Fact]
    public async Task ACustomerSessionGoesADayAfterItExpiredAndItsTokenAnswersAsAnExpiredOne()
    {
        await using var app = await StartWithRetentionAsync();
        await app.CustomerAsync("c1");
        async Task<string> SessionAsync(int ttlSeconds) =>
            (await (await app.Admin.PostJsonAsync("/v1/customers/c1/sessions", new { ttl_seconds = ttlSeconds })).ReadAsync())["token"].Value<string>()!;
        async Task<HttpResponseMessage> AsSessionAsync(string token)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/customers/c1/entitlements");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await app.Anonymous.SendAsync(request);
        }

        var old = await SessionAsync(3600);
        await app.AdvanceAsync(TimeSpan.FromHours(24)); // expired 23 hours ago
        var expired = await AsSessionAsync(old);
        var kept = await PruneAsync(app);
        var live = await SessionAsync(86_400);
        await app.AdvanceAsync(TimeSpan.FromHours(2));
        var pruned = await PruneAsync(app);
        var afterPruning = await AsSessionAsync(old);

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(0, kept.CustomerSessions);
        Assert.Equal(1, pruned.CustomerSessions);
        Assert.Equal(1, await CountAsync(app, "customer_sessions"));
        Assert.Equal(HttpStatusCode.Unauthorized, afterPruning.StatusCode);
        Assert.Equal("invalid_session", (await expired.ReadAsync())["error"].Value<string>());
        Assert.Equal("invalid_session", (await afterPruning.ReadAsync())["error"].Value<string>());
        Assert.Equal(HttpStatusCode.OK, (await AsSessionAsync(live)).StatusCode);
    }
}

public sealed class SqliteReservationAndSessionRetentionTests : ReservationAndSessionRetentionContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresReservationAndSessionRetentionTests : ReservationAndSessionRetentionContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
