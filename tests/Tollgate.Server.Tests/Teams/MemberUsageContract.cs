using System.Net;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Teams;

/// <summary>Usage counted after the fact (events, logged LLM calls) in a member's name counts for the organisation and in the member's own share.</summary>
public abstract class MemberUsageContract : ApiContract
{
    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [
            { "code": "reports", "name": "Reports", "unit": "reports", "kind": "metered" },
            { "code": "chat", "name": "Chat", "unit": "messages", "kind": "metered", "uses_llm": true },
            { "code": "tokens", "name": "Tokens", "unit": "tokens", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [
                { "feature_code": "reports", "limit": 100, "per_member_limit": 5 },
                { "feature_code": "chat", "limit": null },
                { "feature_code": "tokens", "limit": 1000, "per_member_limit": 300, "meter": { "llm": "total_tokens", "features": ["chat"] } } ] }
          ]
        }
        """;

    private async Task<TollgateApp> OrgAsync()
    {
        var app = await StartAsync(ApiSetup.CatalogOf("member-usage", Catalog));
        await app.CustomerAsync("acme");
        foreach (var member in new[] { "alice", "bob" })
        {
            var added = await app.Admin.PutJsonAsync($"/v1/customers/acme/members/{member}", new { email = $"{member}@example.com", name = member, role = "member" });
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        return app;
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> CheckAsync(TollgateApp app, string customer, string feature) =>
        await (await app.Admin.PostJsonAsync("/v1/entitlements/check", new { customer, feature, amount = 1 })).ReadAsync();

    [Fact]
    public async Task AMembersEventCountsForTheOrganisationAndFillsTheirOwnShare()
    {
        await using var app = await OrgAsync();

        var tracked = await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "e1", customer = "alice", feature = "reports", amount = 5, timestamp = app.Clock.GetUtcNow() } },
        });
        var alice = await CheckAsync(app, "alice", "reports");
        var bob = await CheckAsync(app, "bob", "reports");
        var aliceConsumes = await app.ConsumeAsync("alice", "reports");
        var usage = await (await app.Admin.GetAsync("/v1/customers/acme/usage")).ReadAsync();

        Assert.Equal(1, (await tracked.ReadAsync())["accepted"].Value<int>());
        Assert.Equal((false, "quota_exceeded", "acme", "alice", 5L),
            (alice["allowed"].Value<bool>(), alice["reason"].Value<string>(), alice["customer"].Value<string>(), alice["member"].Value<string>(),
             alice["used"].Value<long>()));
        Assert.True(bob["allowed"].Value<bool>());
        Assert.Equal(HttpStatusCode.TooManyRequests, aliceConsumes.StatusCode);
        Assert.Equal(5L, usage["features"]!["reports"]!["used"].Value<long>());
    }

    [Fact]
    public async Task EventsOfSeveralMembersInOneRequestFillEachMembersShareOnceForEachEventKeptAndNeverForADuplicate()
    {
        await using var app = await OrgAsync();
        object Event(string id, string member, int amount) => new { id, customer = member, feature = "reports", amount, timestamp = app.Clock.GetUtcNow() };

        var first = await (await app.Admin.PostJsonAsync("/v1/events", new { events = new[] { Event("a1", "alice", 2), Event("b1", "bob", 4), Event("a2", "alice", 2) } })).ReadAsync();
        var second = await (await app.Admin.PostJsonAsync("/v1/events", new { events = new[] { Event("a1", "alice", 2), Event("b2", "bob", 1) } })).ReadAsync();
        var bob = await CheckAsync(app, "bob", "reports");
        var aliceLast = await app.ConsumeAsync("alice", "reports");
        var aliceOver = await app.ConsumeAsync("alice", "reports");
        var usage = await (await app.Admin.GetAsync("/v1/customers/acme/usage")).ReadAsync();

        Assert.Equal((3, 1, "a1"), (first["accepted"].Value<int>(), second["accepted"].Value<int>(), second["duplicates"]![0].Value<string>()));
        Assert.Equal((false, "bob", 5L), (bob["allowed"].Value<bool>(), bob["member"].Value<string>(), bob["used"].Value<long>()));
        Assert.Equal(HttpStatusCode.OK, aliceLast.StatusCode); // alice's share holds 4 of 5: a1 counted once
        Assert.Equal(HttpStatusCode.TooManyRequests, aliceOver.StatusCode);
        Assert.Equal(10L, usage["features"]!["reports"]!["used"].Value<long>());
    }

    [Fact]
    public async Task AMembersLoggedLlmCallIsLoggedAndCostedForTheOrganisationAndFillsTheirOwnShare()
    {
        await using var app = await OrgAsync();

        var logged = await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "alice", feature = "chat", model = "gpt-4o-mini", provider = "openai", input_tokens = 200, output_tokens = 100, request_id = "r1",
        });
        var alice = await CheckAsync(app, "alice", "tokens");
        var bob = await CheckAsync(app, "bob", "tokens");
        var org = await CheckAsync(app, "acme", "tokens");
        var log = (await (await app.Admin.GetAsync("/v1/llm/calls?customer=acme")).ReadAsync())["data"]!.AsArray();
        var memberRows = await app.Get<TollgateDatabase>().ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM llm_calls WHERE customer_id = 'alice'"));

        Assert.Equal(HttpStatusCode.OK, logged.StatusCode);
        Assert.Equal("r1", Assert.Single(log)!["request_id"].Value<string>()); // the organisation's log and costs hold it, as its events do
        Assert.Equal(0L, memberRows);
        Assert.Equal((false, "alice", 300L, 300L),
            (alice["allowed"].Value<bool>(), alice["member"].Value<string>(), alice["limit"].Value<long>(), alice["used"].Value<long>()));
        Assert.True(bob["allowed"].Value<bool>());
        Assert.Equal((true, 300L), (org["allowed"].Value<bool>(), org["used"].Value<long>()));
    }

    [Fact]
    public async Task EventsConsumesAndCommitsNameTheMemberWhoSentThemAndTheEventListFiltersByMember()
    {
        await using var app = await OrgAsync();
        var seen = new { endpoint = "/v1/report" };

        await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[]
            {
                new { id = "by-alice", customer = "alice", feature = "reports", amount = 1, timestamp = app.Clock.GetUtcNow() },
                new { id = "by-org", customer = "acme", feature = "reports", amount = 1, timestamp = app.Clock.GetUtcNow() },
            },
        });
        await app.Admin.PostJsonAsync("/v1/entitlements/consume", new { customer = "bob", feature = "reports", amount = 1, metadata = seen });
        var hold = await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve",
            new { customer = "alice", feature = "reports", amount = 3, metadata = seen })).ReadAsync();
        await app.Admin.PostJsonAsync($"/v1/reservations/{hold["id"].Value<string>()}/commit", new { amount = 2 });
        var all = (await (await app.Admin.GetAsync("/v1/events?customer=acme")).ReadAsync())["data"]!.AsArray();
        var secretKey = (await (await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "server", role = "secret" })).ReadAsync())["key"].Value<string>()!;
        var alices = await app.WithKey(secretKey).GetAsync("/v1/events?member=alice");
        var export = await (await app.Admin.GetAsync("/v1/admin/exports/events?format=ndjson")).Content.ReadAsStringAsync();

        Assert.Equal([("by-alice", "alice"), ("by-org", null), ("consume", "bob"), ("reservation", "alice")], all
            .Select(e => (e!["source"].Value<string>() == "event" ? e["id"].Value<string>() : e["source"].Value<string>(), e["member"].Value<string?>()))
            .OrderBy(e => e.Item1, StringComparer.Ordinal));
        Assert.All(all, e => Assert.Equal("acme", e!["customer"].Value<string>()));
        Assert.Equal(HttpStatusCode.OK, alices.StatusCode);
        Assert.Equal([(string?)"alice", "alice"], (await alices.ReadAsync())["data"]!.AsArray().Select(e => e!["member"].Value<string?>()));
        Assert.Contains("\"member_id\":\"bob\"", export, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALoggedLlmCallNamesTheMemberWhoSentItAndTheCallLogFiltersByMember()
    {
        await using var app = await OrgAsync();
        object Call(string customer, string request) =>
            new { customer, feature = "chat", model = "gpt-4o-mini", provider = "openai", input_tokens = 10, output_tokens = 5, request_id = request };

        await app.Admin.PostJsonAsync("/v1/llm/usage", Call("alice", "r-alice"));
        await app.Admin.PostJsonAsync("/v1/llm/usage", Call("acme", "r-org"));
        var all = (await (await app.Admin.GetAsync("/v1/llm/calls?customer=acme")).ReadAsync())["data"]!.AsArray();
        var alices = (await (await app.Admin.GetAsync("/v1/llm/calls?customer=acme&member=alice")).ReadAsync())["data"]!.AsArray();
        var bobs = (await (await app.Admin.GetAsync("/v1/llm/calls?member=bob")).ReadAsync())["data"]!.AsArray();
        var bad = await app.Admin.GetAsync("/v1/llm/calls?member=not%20an%20id");

        Assert.Equal([("r-alice", "alice"), ("r-org", null)], all
            .Select(c => (c!["request_id"].Value<string>(), c["member"].Value<string?>())).OrderBy(c => c.Item1, StringComparer.Ordinal));
        Assert.Equal("r-alice", Assert.Single(alices)!["request_id"].Value<string>());
        Assert.Empty(bobs);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull((await bad.ReadAsync())["errors"]!["member"]);
    }
}

public sealed class SqliteMemberUsageTests : MemberUsageContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresMemberUsageTests : MemberUsageContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingMemberUsageTests : MemberUsageContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
