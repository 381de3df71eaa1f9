using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Lists;

/// <summary>Every list answers {data, has_more, next_cursor}, pages by keyset cursors and names a bad limit or cursor.</summary>
public abstract class ListsApiContract(SharedServer shared) : ApiContract(shared, wholeClass: false)
{
    private static List<string> Ids(JsonArray items, string field = "id") => [.. items.Select(i => i![field].Value<string>()!)];

    private static async Task<JsonNode> GetAsync(HttpClient client, string url) => await (await client.GetAsync(url)).ReadAsync();

    [Fact]
    public async Task CustomersComeNewestFirstInPagesOfTheAskedSizeUntilHasMoreIsFalse()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        foreach (var id in new[] { "c1", "c2", "c3", "c4", "c5" })
        {
            await app.CustomerAsync(id);
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await GetAsync(app.Admin, "/v1/customers?limit=2");
        var second = await GetAsync(app.Admin, $"/v1/customers?limit=2&cursor={first["next_cursor"].Value<string>()}");
        var third = await GetAsync(app.Admin, $"/v1/customers?limit=2&cursor={second["next_cursor"].Value<string>()}");

        Assert.Equal(["c5", "c4"], Ids(first["data"]!.AsArray()));
        Assert.Equal(["c3", "c2"], Ids(second["data"]!.AsArray()));
        Assert.Equal(["c1"], Ids(third["data"]!.AsArray()));
        Assert.Equal((true, true, false, null), (first["has_more"].Value<bool>(), second["has_more"].Value<bool>(), third["has_more"].Value<bool>(),
            third["next_cursor"].Value<string>()));
    }

    [Fact]
    public async Task CustomerQueryIsACaseBlindPrefixOfIdEmailOrNameWithWildcardsTakenLiterally()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.Admin.PutJsonAsync("/v1/customers/acme-1", new { email = "ops@acme.test" });
        await app.Admin.PutJsonAsync("/v1/customers/zeta", new { name = "ACME Corp" });
        await app.Admin.PutJsonAsync("/v1/customers/beta", new { email = "finance@beta.test", name = "Beta" });
        await app.Admin.PutJsonAsync("/v1/customers/under_score", new { name = "Under" });

        var acme = Ids((await app.Admin.PageAsync("/v1/customers?query=aCm")));
        var email = Ids((await app.Admin.PageAsync("/v1/customers?query=FINANCE@")));
        var inside = Ids((await app.Admin.PageAsync("/v1/customers?query=cme")));
        var wildcard = Ids((await app.Admin.PageAsync("/v1/customers?query=under_")));
        var underscoreAsAnyCharacter = Ids((await app.Admin.PageAsync("/v1/customers?query=b_ta")));

        Assert.Equal(["acme-1", "zeta"], acme.Order(StringComparer.Ordinal));
        Assert.Equal(["beta"], email);
        Assert.Empty(inside);
        Assert.Equal(["under_score"], wildcard);
        Assert.Empty(underscoreAsAnyCharacter);
    }

    [Fact]
    public async Task CustomerQueryAndEmailLookupFoldEveryLetterNotOnlyAscii()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.Admin.PutJsonAsync("/v1/customers/u1", new { name = "Ålice Ørsted" });
        await app.Admin.PutJsonAsync("/v1/customers/u2", new { email = "ÉLODIE@exemple.test" });
        await app.Admin.PutJsonAsync("/v1/customers/u3", new { name = "Ψυχή" });

        var upper = Ids(await app.Admin.PageAsync("/v1/customers?query=%C3%85lice"));
        var lower = Ids(await app.Admin.PageAsync("/v1/customers?query=%C3%A5LICE"));
        var email = Ids(await app.Admin.PageAsync("/v1/customers?query=%C3%A9lodie@"));
        var greek = Ids(await app.Admin.PageAsync("/v1/customers?query=%CF%88%CF%85%CF%87"));
        var found = await app.Get<Tollgate.Server.Customers.CustomerLists>().FindByEmailAsync("élodie@EXEMPLE.test");

        Assert.Equal(["u1"], upper);
        Assert.Equal(["u1"], lower);
        Assert.Equal(["u2"], email);
        Assert.Equal(["u3"], greek);
        Assert.Equal("u2", found?.Id);
    }

    [Fact]
    public async Task CustomersAndSubscriptionsFilterByPlanAndStatus()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        foreach (var id in new[] { "free-1", "pro-1", "pro-2" })
        {
            await app.CustomerAsync(id);
        }

        await app.SubscribeAsync("pro-1", "pro");
        var canceled = await app.SubscribeAsync("pro-2", "pro");
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{canceled}/cancel", new { at_period_end = false });

        var onPro = Ids(await app.Admin.PageAsync("/v1/customers?plan=pro&status=active"));
        var canceledCustomers = Ids(await app.Admin.PageAsync("/v1/customers?status=canceled"));
        var proSubscriptions = await app.Admin.PageAsync("/v1/subscriptions?plan=pro");
        var ofOne = Ids(await app.Admin.PageAsync("/v1/subscriptions?customer=pro-2&status=canceled"));

        Assert.Equal(["pro-1"], onPro);
        Assert.Equal(["pro-2"], canceledCustomers);
        Assert.Equal(["pro-1", "pro-2"], Ids(proSubscriptions, "customer").Order(StringComparer.Ordinal));
        Assert.Equal([canceled], ofOne);
    }

    [Fact]
    public async Task PlanAndStatusFiltersFollowTheNewestSubscriptionThroughAChangeACancelAndAResubscribe()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        string[] mine = ["follow-change", "follow-again", "follow-none"];
        foreach (var id in mine)
        {
            await app.CustomerAsync(id);
        }

        async Task<List<string>> Mine(string query) => [.. Ids(await app.Admin.ReadAllAsync(query)).Where(mine.Contains).Order(StringComparer.Ordinal)];

        var changed = await app.SubscribeAsync("follow-change", "free");
        var first = await app.SubscribeAsync("follow-again", "pro");
        var onProBefore = await Mine("/v1/customers?plan=pro");
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{changed}/change", new { plan = "pro" })).EnsureSuccessStatusCode();
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{first}/cancel", new { at_period_end = false })).EnsureSuccessStatusCode();
        var canceled = await Mine("/v1/customers?status=canceled");
        var onProAfterCancel = await Mine("/v1/customers?plan=pro");
        await app.SubscribeAsync("follow-again", "free");

        Assert.Equal(["follow-again"], onProBefore);
        Assert.Equal(["follow-again"], canceled);
        Assert.Equal(["follow-again", "follow-change"], onProAfterCancel); // a canceled subscription is still the newest
        Assert.Equal(["follow-change"], await Mine("/v1/customers?plan=pro"));
        Assert.Equal(["follow-again"], await Mine("/v1/customers?plan=free"));
        Assert.Empty(await Mine("/v1/customers?status=canceled"));
        var newestStatus = (await app.Admin.PageAsync("/v1/subscriptions?customer=follow-again"))[0]!["status"]!.Value<string>();
        Assert.Equal(["follow-again"], await Mine($"/v1/customers?plan=free&status={newestStatus}"));
        Assert.Empty(await Mine($"/v1/customers?plan=pro&status={newestStatus}&query=follow-again"));
    }

    [Fact]
    public async Task InvoicesAcrossCustomersFilterByCustomerStatusAndCreatedRange()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("a");
        await app.CustomerAsync("b");
        await app.SubscribeAsync("a", "pro");
        await app.AdvanceAsync(TimeSpan.FromDays(3));
        await app.SubscribeAsync("b", "pro");

        var all = await app.Admin.PageAsync("/v1/invoices");
        var ofB = Ids(await app.Admin.PageAsync("/v1/invoices?customer=b"), "customer");
        var early = Ids(await app.Admin.PageAsync("/v1/invoices?from=2026-01-15T00:00:00Z&to=2026-01-16T00:00:00Z"), "customer");
        var voided = await app.Admin.PageAsync("/v1/invoices?status=void");

        Assert.Equal(["b", "a"], Ids(all, "customer"));
        Assert.Equal(["b"], ofB);
        Assert.Equal(["a"], early);
        Assert.Empty(voided);
    }

    [Theory]
    [InlineData("/v1/customers?limit=0", "limit")]
    [InlineData("/v1/customers?limit=101", "limit")]
    [InlineData("/v1/customers?limit=ten", "limit")]
    [InlineData("/v1/customers?cursor=not-a-cursor!", "cursor")]
    [InlineData("/v1/customers?cursor=Zm9v", "cursor")]
    [InlineData("/v1/customers?status=gone", "status")]
    [InlineData("/v1/subscriptions?limit=-1", "limit")]
    [InlineData("/v1/invoices?cursor=%20", "cursor")]
    [InlineData("/v1/invoices?from=2026-02-01&to=2026-01-01", "to")]
    [InlineData("/v1/invoices?from=2024-01-01&to=2026-01-01", "to")]
    [InlineData("/v1/invoices?from=yesterday", "from")]
    [InlineData("/v1/customers/c1/invoices?limit=500", "limit")]
    [InlineData("/v1/customers/c1/alerts?cursor=x", "cursor")]
    [InlineData("/v1/customers/c1/subscriptions?limit=0", "limit")]
    [InlineData("/v1/admin/keys?limit=0", "limit")]
    [InlineData("/v1/admin/webhook-endpoints?cursor=x", "cursor")]
    [InlineData("/v1/admin/webhook-deliveries?limit=1000", "limit")]
    [InlineData("/v1/admin/llm/prices?limit=0", "limit")]
    [InlineData("/v1/admin/emails?cursor=not-a-cursor!", "cursor")]
    [InlineData("/v1/customers/c1/members?cursor=not-a-cursor!", "cursor")]
    [InlineData("/v1/customers?cursor=Y3VzdG9tZXJzLzE6YwB5", "cursor")] // customers/1:c\0y: PostgreSQL refuses a NUL in a parameter
    [InlineData("/v1/invoices?cursor=MTpjAA", "cursor")] // 1:c\0, as a cursor was before it named its list
    public async Task ABadListParameterIsA400NamingIt(string url, string field)
    {
        await using var app = await StartSharedAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");

        var response = await app.Admin.GetAsync(url);
        var problem = await response.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation_failed", problem["error"].Value<string>());
        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task ACursorFromAnotherListIsA400NamingItsListWhileOneHandedOutBeforeCursorsNamedTheirListStillPages()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            await app.CustomerAsync(id);
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var cursor = (await GetAsync(app.Admin, "/v1/customers?limit=1"))["next_cursor"].Value<string>()!;
        var elsewhere = await app.Admin.GetAsync($"/v1/subscriptions?cursor={cursor}");
        var problem = await elsewhere.ReadAsync();
        // As it was, key:id alone: read as a position, as it was before cursors named their list.
        var plain = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(cursor));
        var unnamed = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(plain[(plain.IndexOf('/', StringComparison.Ordinal) + 1)..]));

        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        Assert.Equal("is a cursor of the customers list, not of subscriptions; pass next_cursor from this list's previous page unchanged",
            problem["errors"]!["cursor"].Value<string>());
        Assert.StartsWith("customers/", plain, StringComparison.Ordinal);
        Assert.Equal(["c2", "c1"], Ids((await GetAsync(app.Admin, $"/v1/customers?cursor={unnamed}"))["data"]!.AsArray()));
    }

    [Fact]
    public async Task ACustomerIsFoundByEmailInAnyCaseTheOldestFirstAndNoneWhenNoOneHasIt()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("ada", "Ada@Example.com");
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await app.CustomerAsync("ada-again", "ada@example.com");
        await app.CustomerAsync("bob", "bob@example.com");
        var lists = app.Get<Tollgate.Server.Customers.CustomerLists>();

        var found = await lists.FindByEmailAsync("ADA@example.COM");
        var none = await lists.FindByEmailAsync("ada@example.org");

        Assert.Equal(("ada", "Ada@Example.com"), (found?.Id, found?.Email));
        Assert.Null(none);
    }

    [Fact]
    public async Task EveryMovedListAnswersTheSameShapeAndWalksToTheEnd()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        for (var i = 0; i < 3; i++)
        {
            await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = $"k{i}", role = "secret" });
            await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = $"https://hooks.example.com/{i}" });
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var keys = Ids(await app.Admin.ReadAllAsync("/v1/admin/keys", limit: 1), "name");
        var endpoints = Ids(await app.Admin.ReadAllAsync("/v1/admin/webhook-endpoints"), "url");
        var prices = await app.Admin.ReadAllAsync("/v1/admin/llm/prices");
        var firstPrices = await GetAsync(app.Admin, "/v1/admin/llm/prices");
        foreach (var url in new[] { "/v1/customers/c1/invoices", "/v1/customers/c1/alerts", "/v1/customers/c1/subscriptions", "/v1/admin/webhook-deliveries" })
        {
            var page = await GetAsync(app.Admin, url);
            Assert.Equal((0, false, null), (page["data"]!.AsArray().Count, page["has_more"].Value<bool>(), page["next_cursor"].Value<string>()));
        }

        Assert.Equal(["k0", "k1", "k2"], keys);
        Assert.Equal(["https://hooks.example.com/0", "https://hooks.example.com/1", "https://hooks.example.com/2"], endpoints);
        Assert.Equal((20, true), (firstPrices["data"]!.AsArray().Count, firstPrices["has_more"].Value<bool>()));
        Assert.Equal(prices.Count, prices.Select(p => p!["id"].Value<string>()).Distinct().Count());
        Assert.True(prices.Count > 20);
    }

    [Fact]
    public async Task PagingWhileOthersInsertNeitherSkipsNorRepeatsARow()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        var before = Enumerable.Range(0, 40).Select(i => $"old-{i:D2}").ToList();
        foreach (var id in before)
        {
            await app.CustomerAsync(id);
            app.Clock.Advance(TimeSpan.FromMilliseconds(Number(id) % 3)); // some share a millisecond, so the id must break ties
        }

        var seen = new List<string>();
        var inserted = new ConcurrentBag<string>();
        var writing = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await app.CustomerAsync($"new-{n:D3}"); // at the newest old row's time: the id decides where each lands
                inserted.Add($"new-{n:D3}");
                if (n == 2)
                {
                    writing.SetResult();
                }
            }
        });
        await writing.Task;
        string? cursor = null;
        do
        {
            var page = await GetAsync(app.Admin, $"/v1/customers?limit=7{(cursor is null ? "" : "&cursor=" + cursor)}");
            seen.AddRange(Ids(page["data"]!.AsArray()));
            cursor = page["has_more"].Value<bool>() ? page["next_cursor"].Value<string>() : null;
            await Task.Yield();
        }
        while (cursor is not null);
        await stop.CancelAsync();
        await writer;

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(before, id => Assert.Contains(id, seen));
        Assert.All(seen.Where(s => s.StartsWith("new-", StringComparison.Ordinal)), id => Assert.Contains(id, inserted));

        static int Number(string id) => int.Parse(id[4..], System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class SqliteListsApiTests(SharedServer shared) : ListsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresListsApiTests(SharedServer shared) : ListsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingListsApiTests(SharedServer shared) : ListsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
