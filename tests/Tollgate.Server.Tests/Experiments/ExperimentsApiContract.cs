using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Core.Experiments;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Experiments;

public abstract class ExperimentsApiContract : ApiContract
{
    private static readonly IReadOnlyList<ExperimentVariant> Variants = [new("control", 1, []), new("cheaper", 1, [])];

    [Fact]
    public async Task ADraftIsListedStartedAndStoppedAndOnlyOneExperimentRunsAtATime()
    {
        await using var app = await StartAsync();
        var created = await app.Admin.PostJsonAsync("/v1/admin/experiments", Definition());
        var id = (await created.ReadAsync())["id"].Value<string>()!;
        var other = (await (await app.Admin.PostJsonAsync("/v1/admin/experiments", Definition())).ReadAsync())["id"].Value<string>()!;

        var started = await app.Admin.PostAsync($"/v1/admin/experiments/{id}/start", null);
        var again = await app.Admin.PostAsync($"/v1/admin/experiments/{id}/start", null);
        var second = await app.Admin.PostAsync($"/v1/admin/experiments/{other}/start", null);
        var list = (await (await app.Admin.GetAsync("/v1/admin/experiments")).ReadAsync())["experiments"]!.AsArray();
        var stopped = await (await app.Admin.PostAsync($"/v1/admin/experiments/{id}/stop", null)).ReadAsync();
        var one = await (await app.Admin.GetAsync($"/v1/admin/experiments/{id}")).ReadAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/v1/admin/experiments/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal("running", (await started.ReadAsync())["status"].Value<string>());
        Assert.Equal((HttpStatusCode.Conflict, "experiment_not_draft"), (again.StatusCode, (await again.ReadAsync())["error"].Value<string>()));
        Assert.Equal((HttpStatusCode.Conflict, "experiment_running"), (second.StatusCode, (await second.ReadAsync())["error"].Value<string>()));
        Assert.Equal(2, list.Count);
        Assert.Equal(("stopped", "stopped"), (stopped["status"].Value<string>(), one["status"].Value<string>()));
        var cheaper = one["variants"]![1]!;
        Assert.Equal(("cheaper", 1, false), (cheaper["key"].Value<string>(), cheaper["weight"].Value<int>(), cheaper["control"].Value<bool>()));
        Assert.Equal(("pro", "monthly", 2499L), (cheaper["prices"]![0]!["plan"].Value<string>(),
            cheaper["prices"]![0]!["billing_period"].Value<string>(), cheaper["prices"]![0]!["price_cents"].Value<long>()));
    }

    [Fact]
    public async Task BadDefinitionsAre400ProblemsNamingEachFieldAndWriteNothing()
    {
        await using var app = await StartAsync();

        var bad = await app.Admin.PostJsonAsync("/v1/admin/experiments", new
        {
            name = "",
            variants = new object[]
            {
                new { key = "control", weight = 1 },
                new { key = "b", weight = 0, prices = new object[] { new { plan = "pro", billing_period = "monthly", price_cents = -1 } } },
                new { key = "c", weight = 1, prices = new object[] { new { plan = "platinum", billing_period = "monthly", price_cents = 10 } } },
                new { key = "d", weight = 1, prices = new object[] { new { plan = "free", billing_period = "weekly", price_cents = 10 } } },
                // Every field of a price is named, not only the first wrong one.
                new { key = "e", weight = 1, prices = new object[] { new { plan = "nope", billing_period = "weekly", price_cents = -1 } } },
            },
        });
        var noControl = await app.Admin.PostJsonAsync("/v1/admin/experiments", new
        {
            name = "no control", variants = new object[] { new { key = "a", weight = 1 }, new { key = "b", weight = 1 } },
        });
        var missing = await app.Admin.GetAsync("/v1/admin/experiments/exp_missing/results");
        var list = (await (await app.Admin.GetAsync("/v1/admin/experiments")).ReadAsync())["experiments"]!.AsArray();

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType!.MediaType);
        var errors = (await bad.ReadAsync())["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["name", "variants[1].prices[0].price_cents", "variants[1].weight", "variants[2].prices[0].plan",
            "variants[3].prices[0].billing_period", "variants[4].prices[0].billing_period", "variants[4].prices[0].plan",
            "variants[4].prices[0].price_cents"], errors);
        Assert.Equal(HttpStatusCode.BadRequest, noControl.StatusCode);
        Assert.NotNull((await noControl.ReadAsync())["errors"]!["variants"]);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(list);
    }

    [Fact]
    public async Task AVisitorsPriceDoesNotChangeOnReloadOrOnAnotherNode()
    {
        await using var app = await StartAsync();
        await using var other = Kind == StoreKind.Postgres ? await TollgateApp.StartAsync(Kind, connectionString: app.ConnectionString) : null;
        var id = await RunningAsync(app);
        var cheaper = VisitorIn(id, "cheaper");
        var control = VisitorIn(id, "control");

        var first = await ProMonthlyAsync(app.Anonymous, cheaper);
        var reload = await ProMonthlyAsync(app.Anonymous, cheaper);
        var elsewhere = await ProMonthlyAsync((other ?? app).Anonymous, cheaper);
        var controls = await ProMonthlyAsync((other ?? app).Anonymous, control);
        var anonymous = await app.Anonymous.GetAsync("/v1/pricing/plans");
        var badVisitor = await app.Anonymous.GetAsync("/v1/pricing/plans?visitor=a%20b");

        Assert.Equal((2499L, "$24.99", id, "cheaper"), first);
        Assert.Equal(first, reload);
        Assert.Equal(first, elsewhere);
        Assert.Equal((2999L, "$29.99", id, "control"), controls);
        var pro = (await anonymous.ReadAsync()).AsArray().Single(p => p!["code"].Value<string>() == "pro")!;
        Assert.Equal((2999L, (JsonNode?)null), (pro["prices"]![0]!["price_cents"].Value<long>(), pro["experiment"]));
        Assert.Equal(HttpStatusCode.BadRequest, badVisitor.StatusCode);
        Assert.NotNull((await badVisitor.ReadAsync())["errors"]!["visitor"]);
    }

    [Fact]
    public async Task ASubscriptionForAnExposedVisitorPaysTheVariantPriceAndKeepsItAtRenewal()
    {
        await using var app = await StartAsync();
        var id = await RunningAsync(app);
        var visitor = VisitorIn(id, "cheaper");
        await ProMonthlyAsync(app.Anonymous, visitor);
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");

        var created = await (await SubscribeAsync(app, "c1", visitor)).ReadAsync();
        var unexposed = await (await SubscribeAsync(app, "c2", "never-saw-the-page")).ReadAsync();
        await app.Admin.PostAsync($"/v1/admin/experiments/{id}/stop", null);
        await app.AdvanceAsync(TimeSpan.FromDays(32));
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal(2499L, created["price_override_cents"].Value<long>());
        Assert.Null(unexposed["price_override_cents"]);
        Assert.Equal([2499L, 2499L], invoices.Select(i => i["subtotal_cents"].Value<long>()));
        Assert.Equal(2999L, (await app.InvoicesAsync("c2"))[0]["subtotal_cents"].Value<long>());
    }

    [Fact]
    public async Task ExposureAndConversionAreCountedOnceUnderConcurrentRequests()
    {
        await using var app = await StartAsync();
        await using var other = Kind == StoreKind.Postgres ? await TollgateApp.StartAsync(Kind, connectionString: app.ConnectionString) : null;
        TollgateApp[] nodes = other is null ? [app] : [app, other];
        var id = await RunningAsync(app);
        var visitor = VisitorIn(id, "cheaper");
        for (var i = 0; i < 6; i++)
        {
            await app.CustomerAsync($"c{i}");
        }

        var views = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(i => nodes[i % nodes.Length].Anonymous.GetAsync($"/v1/pricing/plans?visitor={visitor}")));
        var subscriptions = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => SubscribeAsync(nodes[i % nodes.Length], $"c{i}", visitor)));
        var results = await (await app.Admin.GetAsync($"/v1/admin/experiments/{id}/results")).ReadAsync();

        Assert.All(views, v => Assert.Equal(HttpStatusCode.OK, v.StatusCode));
        Assert.All(subscriptions, s => Assert.Equal(HttpStatusCode.Created, s.StatusCode));
        var cheaper = results["variants"]![1]!;
        Assert.Equal(("cheaper", 1L, 1L, 2499L), (cheaper["variant"].Value<string>(), cheaper["visitors"].Value<long>(),
            cheaper["conversions"].Value<long>(), cheaper["mrr_cents"].Value<long>()));
        Assert.Equal((0L, 0L), (results["variants"]![0]!["visitors"].Value<long>(), results["variants"]![0]!["conversions"].Value<long>()));
    }

    [Fact]
    public async Task ResultsGiveRatesWithWilsonIntervalsMrrPerVisitorAndTheZTestAgainstControl()
    {
        await using var app = await StartAsync();
        var id = await RunningAsync(app);
        var controls = Visitors(id, "control").Take(4).ToList();
        var cheapers = Visitors(id, "cheaper").Take(4).ToList();
        foreach (var visitor in controls.Concat(cheapers))
        {
            await ProMonthlyAsync(app.Anonymous, visitor);
        }

        foreach (var (visitor, customer) in new[] { (controls[0], "c1"), (cheapers[0], "c2"), (cheapers[1], "c3") })
        {
            await app.CustomerAsync(customer);
            Assert.Equal(HttpStatusCode.Created, (await SubscribeAsync(app, customer, visitor)).StatusCode);
        }

        var results = await (await app.Admin.GetAsync($"/v1/admin/experiments/{id}/results")).ReadAsync();

        var (control, cheaper) = (results["variants"]![0]!, results["variants"]![1]!);
        var wilson = Statistics.Wilson(1, 4);
        Assert.Equal((4L, 1L, 0.25, wilson.Low, wilson.High), (control["visitors"].Value<long>(), control["conversions"].Value<long>(),
            control["conversion_rate"].Value<double>(), control["conversion_rate_low"].Value<double>(),
            control["conversion_rate_high"].Value<double>()));
        Assert.Equal((2999L, 749.75m, (JsonNode?)null), (control["mrr_cents"].Value<long>(), control["mrr_per_visitor_cents"].Value<decimal>(),
            control["p_value"]));
        Assert.Equal((0.5, 4998L, 1249.5m, 1.0), (cheaper["conversion_rate"].Value<double>(), cheaper["mrr_cents"].Value<long>(),
            cheaper["mrr_per_visitor_cents"].Value<decimal>(), cheaper["relative_lift"].Value<double>()));
        Assert.Equal(Statistics.TwoProportionPValue(1, 4, 2, 4)!.Value, cheaper["p_value"].Value<double>(), 12);
    }

    [Fact]
    public async Task ThePricingPageKeepsAFirstPartyVisitorCookieAndShowsItsVariantsPrice()
    {
        await using var app = await StartAsync();
        var id = await RunningAsync(app);
        using var browser = app.NewBrowser();

        var first = await browser.GetAsync("/pricing");
        var firstHtml = await first.Content.ReadAsStringAsync();
        var reloadHtml = await browser.GetStringAsync("/pricing");
        var results = await (await app.Admin.GetAsync($"/v1/admin/experiments/{id}/results")).ReadAsync();

        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("tg_visitor=vis_", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        var variant = System.Text.RegularExpressions.Regex.Match(firstHtml, "data-variant=\"([a-z]+)\"").Groups[1].Value;
        Assert.Contains(variant, new[] { "control", "cheaper" });
        Assert.Contains($"data-experiment=\"{id}\" data-variant=\"{variant}\"", reloadHtml, StringComparison.Ordinal);
        Assert.Equal(variant == "cheaper", firstHtml.Contains("$24.99", StringComparison.Ordinal));
        Assert.Equal(1L, results["variants"]!.AsArray().Sum(v => v!["visitors"].Value<long>()));
    }

    [Fact]
    public async Task StoppingWithAWinnerMakesItsPriceANewPlanVersionAndExistingSubscribersKeepWhatTheyBought()
    {
        await using var app = await StartAsync();
        var id = await RunningAsync(app);
        await app.CustomerAsync("before");
        await app.CustomerAsync("after");
        await SubscribeAsync(app, "before", "nobody");

        var control = await app.Admin.PostJsonAsync($"/v1/admin/experiments/{id}/stop", new { promote = "control" });
        var stopped = await app.Admin.PostJsonAsync($"/v1/admin/experiments/{id}/stop", new { promote = "cheaper" });
        var pro = (await (await app.Anonymous.GetAsync("/v1/pricing/plans/pro")).ReadAsync());
        var later = await (await SubscribeAsync(app, "after", "nobody")).ReadAsync();
        await app.AdvanceAsync(TimeSpan.FromDays(32));

        Assert.Equal(HttpStatusCode.BadRequest, control.StatusCode);
        Assert.NotNull((await control.ReadAsync())["errors"]!["promote"]);
        Assert.Equal("stopped", (await stopped.ReadAsync())["status"].Value<string>());
        Assert.Equal((2, 2499L), (pro["version"].Value<int>(), pro["prices"]![0]!["price_cents"].Value<long>()));
        Assert.Equal((2, (JsonNode?)null), (later["plan_version"].Value<int>(), later["price_override_cents"]));
        Assert.Equal([2999L, 2999L], (await app.InvoicesAsync("before")).Select(i => i["subtotal_cents"].Value<long>()));
        Assert.Equal([2499L, 2499L], (await app.InvoicesAsync("after")).Select(i => i["subtotal_cents"].Value<long>()));
    }

    [Fact]
    public async Task AnExperimentWhosePlanWasTakenOffSaleExposesNobodyAndItsPriceCannotBePromoted()
    {
        await using var app = await StartAsync();
        var id = await RunningAsync(app);
        var catalog = (JsonObject)(await (await app.Admin.GetAsync("/v1/admin/catalog")).ReadAsync());
        catalog["plans"]!.AsArray().Single(p => p!["code"].Value<string>() == "pro")!["is_active"] = false;
        (await app.Admin.PutJsonAsync("/v1/admin/catalog", catalog)).EnsureSuccessStatusCode();

        var plans = (await (await app.Anonymous.GetAsync($"/v1/pricing/plans?visitor={VisitorIn(id, "cheaper")}")).ReadAsync()).AsArray();
        var promote = await app.Admin.PostJsonAsync($"/v1/admin/experiments/{id}/stop", new { promote = "cheaper" });
        var results = await (await app.Admin.GetAsync($"/v1/admin/experiments/{id}/results")).ReadAsync();
        var experiment = await (await app.Admin.GetAsync($"/v1/admin/experiments/{id}")).ReadAsync();

        // Visitors were counted for an arm nobody could buy, and the promotion made a new version of a plan off sale.
        Assert.All(plans, p => Assert.Null(p!["experiment"]));
        Assert.Equal(0L, results["variants"]!.AsArray().Sum(v => v!["visitors"].Value<long>()));
        Assert.Equal(HttpStatusCode.Conflict, promote.StatusCode);
        Assert.Equal(("plan_inactive", "pro"), ((await promote.ReadAsync())["error"].Value<string>(), (await promote.ReadAsync())["plans"]![0].Value<string>()));
        Assert.Equal("running", experiment["status"].Value<string>());
    }

    private static object Definition() => new
    {
        name = "Pro at $24.99",
        variants = new object[]
        {
            new { key = "control", weight = 1 },
            new { key = "cheaper", weight = 1, prices = new object[] { new { plan = "pro", billing_period = "monthly", price_cents = 2499 } } },
        },
    };

    private static async Task<string> RunningAsync(TollgateApp app)
    {
        var id = (await (await app.Admin.PostJsonAsync("/v1/admin/experiments", Definition())).ReadAsync())["id"].Value<string>()!;
        (await app.Admin.PostAsync($"/v1/admin/experiments/{id}/start", null)).EnsureSuccessStatusCode();
        return id;
    }

    private static IEnumerable<string> Visitors(string experimentId, string variant) => Enumerable.Range(0, 10_000).Select(i => $"visitor-{i}")
        .Where(v => VariantAssignment.Assign(experimentId, v, Variants).Key == variant);

    private static string VisitorIn(string experimentId, string variant) => Visitors(experimentId, variant).First();

    private static async Task<(long Price, string Display, string? Experiment, string? Variant)> ProMonthlyAsync(HttpClient client, string visitor)
    {
        var plans = (await (await client.GetAsync($"/v1/pricing/plans?visitor={visitor}")).ReadAsync()).AsArray();
        var pro = plans.Single(p => p!["code"].Value<string>() == "pro")!;
        var monthly = pro["prices"]![0]!;
        return (monthly["price_cents"].Value<long>(), monthly["display_price"].Value<string>()!, pro["experiment"]?["id"].Value<string>(),
            pro["experiment"]?["variant"].Value<string>());
    }

    private static Task<HttpResponseMessage> SubscribeAsync(TollgateApp app, string customer, string visitor) =>
        app.Admin.PostJsonAsync("/v1/subscriptions", new
        {
            customer, plan = "pro", billing_period = "monthly", trial_days = 0, collection_method = "charge_automatically", visitor_id = visitor,
        });
}

public sealed class SqliteExperimentsApiTests : ExperimentsApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresExperimentsApiTests : ExperimentsApiContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingExperimentsApiTests : ExperimentsApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
