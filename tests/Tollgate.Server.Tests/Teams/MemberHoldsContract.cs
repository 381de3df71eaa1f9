using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>A member's hold takes their share of a per_member_limit feature, and release, expiry and a smaller commit give it back.</summary>
public abstract class MemberHoldsContract(SharedServer shared) : ApiContract(shared)
{
    // On the team plan at 2 seats, reports allow the organisation 20 and each member 4.
    private async Task<TollgateApp> TeamAsync(string org = "acme", string member = "alice", bool own = false)
    {
        var app = own ? await StartOwnAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json)) : await StartAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));
        await app.CustomerAsync(org);
        var created = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = org, plan = "team", seats = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var alice = await app.Admin.PutJsonAsync($"/v1/customers/{org}/members/{member}", new { email = $"{member}@example.com", name = "Alice", role = "member" });
        Assert.Equal(HttpStatusCode.Created, alice.StatusCode);
        return app;
    }

    private static Task<HttpResponseMessage> ReserveAsync(TollgateApp app, long amount, int ttlSeconds = 60, string member = "alice") =>
        app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = member, feature = "reports", amount, ttl_seconds = ttlSeconds });

    [Fact]
    public async Task ReleasingAMembersHoldGivesTheirShareBack()
    {
        await using var app = await TeamAsync();

        var held = await ReserveAsync(app, 4);
        var whileHeld = await app.ConsumeAsync("alice", "reports");
        var id = (await held.ReadAsync())["id"].Value<string>();
        var released = await app.Admin.PostAsync(new Uri($"/v1/reservations/{id}/release", UriKind.Relative), null);
        var afterRelease = await app.ConsumeAsync("alice", "reports", 4);

        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, whileHeld.StatusCode);
        Assert.Equal("alice", (await whileHeld.ReadAsync())["member"].Value<string>());
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal(("acme", "alice"), ((await released.ReadAsync())["customer"].Value<string>(), (await released.ReadAsync())["member"].Value<string>()));
        Assert.Equal(HttpStatusCode.OK, afterRelease.StatusCode);
    }

    [Fact]
    public async Task AnExpiredMemberHoldGivesTheirShareBack()
    {
        await using var app = await TeamAsync(own: true);

        var held = await ReserveAsync(app, 4, ttlSeconds: 60);
        var whileHeld = await app.ConsumeAsync("alice", "reports");
        await app.AdvanceAsync(TimeSpan.FromSeconds(120));
        var afterExpiry = await app.ConsumeAsync("alice", "reports", 4);
        var past = await app.ConsumeAsync("alice", "reports");
        var org = await (await app.Admin.GetAsync("/v1/customers/acme/usage")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, whileHeld.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterExpiry.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, past.StatusCode);
        Assert.Equal((4L, 0L), (org["features"]!["reports"]!["used"].Value<long>(), org["features"]!["reports"]!["reserved"].Value<long>()));
    }

    [Fact]
    public async Task CommittingLessThanAMemberHeldGivesTheRestOfTheirShareBack()
    {
        await using var app = await TeamAsync(org: "acme3", member: "alice3");

        var id = (await (await ReserveAsync(app, 4, member: "alice3")).ReadAsync())["id"].Value<string>();
        var committed = await app.Admin.PostJsonAsync($"/v1/reservations/{id}/commit", new { amount = 1 });
        var rest = await app.ConsumeAsync("alice3", "reports", 3);
        var past = await app.ConsumeAsync("alice3", "reports");
        var problem = await past.ReadAsync();

        Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, past.StatusCode);
        Assert.Equal(("quota_exceeded", 4L, 4L), (problem["error"].Value<string>(), problem["limit"].Value<long>(), problem["used"].Value<long>()));
    }

    [Fact]
    public async Task CommittingMoreThanAMemberHeldPastTheirShareIsRefusedAndKeepsTheHold()
    {
        await using var app = await TeamAsync(org: "acme4", member: "alice4");

        var id = (await (await ReserveAsync(app, 3, member: "alice4")).ReadAsync())["id"].Value<string>();
        var tooMuch = await app.Admin.PostJsonAsync($"/v1/reservations/{id}/commit", new { amount = 5 });
        var fits = await app.Admin.PostJsonAsync($"/v1/reservations/{id}/commit", new { amount = 4 });
        var org = await (await app.Admin.GetAsync("/v1/customers/acme4/usage")).ReadAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, tooMuch.StatusCode);
        Assert.Equal("alice4", (await tooMuch.ReadAsync())["member"].Value<string>());
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal((4L, 0L), (org["features"]!["reports"]!["used"].Value<long>(), org["features"]!["reports"]!["reserved"].Value<long>()));
    }

    [Fact]
    public async Task ConcurrentHoldsAndConsumesByOneMemberNeverPassTheirShare()
    {
        await using var app = await TeamAsync(org: "acme5", member: "alice5");

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            i % 2 == 0 ? ReserveAsync(app, 1, member: "alice5") : app.ConsumeAsync("alice5", "reports")));
        var org = await (await app.Admin.GetAsync("/v1/customers/acme5/usage")).ReadAsync();
        var reports = org["features"]!["reports"]!;

        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(36, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(4L, reports["used"].Value<long>() + reports["reserved"].Value<long>());
    }
}

public sealed class SqliteMemberHoldsTests(SharedServer shared) : MemberHoldsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresMemberHoldsTests(SharedServer shared) : MemberHoldsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingMemberHoldsTests(SharedServer shared) : MemberHoldsContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
