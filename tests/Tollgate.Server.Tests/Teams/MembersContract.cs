using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>Members resolve to their organisation, share its quotas, are held to their own share, and take its seats.</summary>
public abstract class MembersContract(SharedServer shared) : ApiContract(shared)
{
    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.CatalogOf("teams", TeamsCatalog.Json));

    private static Task<HttpResponseMessage> AddAsync(TollgateApp app, string org, string member, string role = "member") =>
        app.Admin.PutJsonAsync($"/v1/customers/{org}/members/{member}", new { email = $"{member}@example.com", name = member, role });

    private static async Task<TollgateApp> TeamAsync(MembersContract suite, int seats, string org = "acme")
    {
        var app = await suite.AppAsync();
        await app.CustomerAsync(org);
        var created = await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = org, plan = "team", seats });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return app;
    }

    [Fact]
    public async Task AMemberIdConsumesTheOrganisationsSharedQuotaAndTheAnswerNamesBoth()
    {
        await using var app = await TeamAsync(this, seats: 2);
        await AddAsync(app, "acme", "alice");
        await AddAsync(app, "acme", "bob");

        var byAlice = await (await app.ConsumeAsync("alice", "exports", 2)).ReadAsync();
        var byBob = await (await app.ConsumeAsync("bob", "exports", 3)).ReadAsync();
        var refused = await app.ConsumeAsync("alice", "exports");
        var check = await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer = "bob", feature = "exports", amount = 1 })).ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/alice/usage")).ReadAsync();

        Assert.Equal(("acme", "alice", 2L), (byAlice["customer"].Value<string>(), byAlice["member"].Value<string>(), byAlice["used"].Value<long>()));
        Assert.Equal(("acme", "bob", 5L), (byBob["customer"].Value<string>(), byBob["member"].Value<string>(), byBob["used"].Value<long>()));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(("acme", "alice"), ((await refused.ReadAsync())["customer"].Value<string>(), (await refused.ReadAsync())["member"].Value<string>()));
        Assert.False(check["allowed"].Value<bool>());
        Assert.Equal(("acme", 5L), (usage["customer"].Value<string>(), usage["features"]!["exports"]!["used"].Value<long>()));
    }

    [Fact]
    public async Task AMemberIsRefusedPastTheirOwnShareWhileTheOrganisationHasRoom()
    {
        await using var app = await TeamAsync(this, seats: 2, org: "acme2");
        await AddAsync(app, "acme2", "alice2");
        await AddAsync(app, "acme2", "bob2");

        var alice = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            alice.Add(await app.ConsumeAsync("alice2", "reports"));
        }

        var bob = await app.ConsumeAsync("bob2", "reports", 4);
        var org = await app.ConsumeAsync("acme2", "reports", 12);
        var problem = await alice[4].ReadAsync();
        var usage = await (await app.Admin.GetAsync("/v1/customers/acme2/usage")).ReadAsync();

        Assert.All(alice.Take(4), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, alice[4].StatusCode);
        Assert.Equal(("quota_exceeded", 4L, 4L, "alice2"), (problem["error"].Value<string>(), problem["limit"].Value<long>(),
            problem["used"].Value<long>(), problem["member"].Value<string>()));
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
        Assert.Equal(HttpStatusCode.OK, org.StatusCode);
        Assert.Equal((20L, 20L), (usage["features"]!["reports"]!["limit"].Value<long>(), usage["features"]!["reports"]!["used"].Value<long>()));
    }

    [Fact]
    public async Task AMemberWithRoomInTheirShareIsRefusedWhenTheOrganisationIsFullAndTheRefusalTakesNothingFromTheirShare()
    {
        await using var app = await TeamAsync(this, seats: 2, org: "acme3");
        await AddAsync(app, "acme3", "alice3");
        var org = await app.ConsumeAsync("acme3", "reports", 18);

        // Alice's share (4) has room for 3, the organisation's 20 has 2: the share takes, the organisation refuses, and the
        // share is given back in the same transaction, so the 2 she then asks for fit both.
        var refused = await app.ConsumeAsync("alice3", "reports", 3);
        var problem = await refused.ReadAsync();
        var fits = await app.ConsumeAsync("alice3", "reports", 2);
        var past = await app.ConsumeAsync("alice3", "reports", 1);
        var usage = await (await app.Admin.GetAsync("/v1/customers/acme3/usage")).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, org.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(("quota_exceeded", 20L, 18L), (problem["error"].Value<string>(), problem["limit"].Value<long>(), problem["used"].Value<long>()));
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, past.StatusCode);
        Assert.Equal(20L, usage["features"]!["reports"]!["used"].Value<long>());
    }

    [Fact]
    public async Task APerSeatLimitIsMultipliedByTheSeats()
    {
        await using var app = await TeamAsync(this, seats: 3, org: "acme4");

        var entitlements = await (await app.Admin.GetAsync("/v1/customers/acme4/entitlements")).ReadAsync();
        var reports = entitlements["features"]!.AsArray().Single(f => f!["feature"].Value<string>() == "reports")!;
        var exports = entitlements["features"]!.AsArray().Single(f => f!["feature"].Value<string>() == "exports")!;

        Assert.Equal((30L, 5L), (reports["limit"].Value<long>(), exports["limit"].Value<long>()));
    }

    [Fact]
    public async Task AddingAMemberBeyondTheSeatsIs402SeatsExhaustedAndRemovingOneFreesItsSeat()
    {
        await using var app = await TeamAsync(this, seats: 2, org: "acme5");
        var alice = await AddAsync(app, "acme5", "alice5");
        var bob = await AddAsync(app, "acme5", "bob5");
        var again = await AddAsync(app, "acme5", "bob5", role: "admin");

        var carol = await AddAsync(app, "acme5", "carol5");
        var problem = await carol.ReadAsync();
        var removed = await app.Admin.DeleteAsync("/v1/customers/acme5/members/bob5");
        var carolAgain = await AddAsync(app, "acme5", "carol5");
        var bobConsumes = await app.ConsumeAsync("bob5", "exports");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.OK), (alice.StatusCode, bob.StatusCode, again.StatusCode));
        Assert.Equal("admin", (await again.ReadAsync())["role"].Value<string>());
        Assert.Equal(HttpStatusCode.PaymentRequired, carol.StatusCode);
        Assert.Equal(("seats_exhausted", 2L), (problem["error"].Value<string>(), problem["seats"].Value<long>()));
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.Created, carolAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bobConsumes.StatusCode);
    }

    [Fact]
    public async Task ConcurrentMemberAdditionsNeverExceedTheSeats()
    {
        await using var app = await TeamAsync(this, seats: 3, org: "acme6");

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => AddAsync(app, "acme6", $"m{i:D2}")));
        var list = await (await app.Admin.GetAsync("/v1/customers/acme6/members?limit=100")).ReadAsync();

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(21, responses.Count(r => r.StatusCode == HttpStatusCode.PaymentRequired));
        Assert.Equal(3, list["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task AMemberIdIsUniqueAcrossCustomersAndMembers()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("acme7");
        await app.CustomerAsync("globex7");
        await AddAsync(app, "acme7", "alice7");

        var takenByMember = await AddAsync(app, "globex7", "alice7");
        var takenByCustomer = await AddAsync(app, "acme7", "globex7");
        var customerOverMember = await app.Admin.PutJsonAsync("/v1/customers/alice7", new { email = "alice7@example.com" });
        var itself = await AddAsync(app, "acme7", "acme7");
        var noOrg = await AddAsync(app, "initech7", "peter7");

        Assert.Equal(("member_id_taken", HttpStatusCode.Conflict), ((await takenByMember.ReadAsync())["error"].Value<string>(), takenByMember.StatusCode));
        Assert.Equal(HttpStatusCode.Conflict, takenByCustomer.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, customerOverMember.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, itself.StatusCode);
        Assert.NotNull((await itself.ReadAsync())["errors"]!["member"]);
        Assert.Equal(HttpStatusCode.NotFound, noOrg.StatusCode);
    }

    [Fact]
    public async Task MembersListInIdOrderByKeysetCursor()
    {
        await using var app = await AppAsync();
        await app.CustomerAsync("acme8");
        foreach (var name in new[] { "erin8", "alice8", "dave8", "bob8", "carol8" })
        {
            await AddAsync(app, "acme8", name);
        }

        var first = await (await app.Admin.GetAsync("/v1/customers/acme8/members?limit=2")).ReadAsync();
        var second = await (await app.Admin.GetAsync($"/v1/customers/acme8/members?limit=2&cursor={first["next_cursor"].Value<string>()}")).ReadAsync();
        var last = await (await app.Admin.GetAsync($"/v1/customers/acme8/members?limit=2&cursor={second["next_cursor"].Value<string>()}")).ReadAsync();
        var badLimit = await app.Admin.GetAsync("/v1/customers/acme8/members?limit=0");

        Assert.Equal(["alice8", "bob8"], first["data"]!.AsArray().Select(m => m!["id"].Value<string>()));
        Assert.True(first["has_more"].Value<bool>());
        Assert.Equal(["carol8", "dave8"], second["data"]!.AsArray().Select(m => m!["id"].Value<string>()));
        Assert.Equal(["erin8"], last["data"]!.AsArray().Select(m => m!["id"].Value<string>()));
        Assert.Equal((false, null), (last["has_more"].Value<bool>(), last["next_cursor"]?.GetValue<string>()));
        Assert.Equal("acme8", last["data"]![0]!["customer"].Value<string>());
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }
}

public sealed class SqliteMembersTests(SharedServer shared) : MembersContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresMembersTests(SharedServer shared) : MembersContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingMembersTests(SharedServer shared) : MembersContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
