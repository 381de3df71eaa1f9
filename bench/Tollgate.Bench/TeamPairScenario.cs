using System.Globalization;
using System.Text;

namespace Tollgate.Bench;

/// <summary>
/// What a member's own share costs (issue 30): a member's consume takes the organisation's counter and the member's share
/// in one transaction, where the organisation's own consume takes one row. Both sides aim at the same 100 organisations
/// (so the same hot organisation rows); the member side spreads over their 1,000 members, ten each.
/// </summary>
public sealed partial class Scenarios
{
    private const int Organisations = 100;

    private const string TeamCatalog = """
        { "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [ { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
            "features": [ { "feature_code": "api_calls", "monthly_quota": 1000000000000, "per_member_limit": 1000000000000 } ] } ] }
        """;

    private static string OrganisationConsume(int sequence) => $"{{\"customer\":\"bench-{sequence % Organisations}\",\"feature\":\"api_calls\",\"amount\":1}}";

    private static string MemberConsume(int sequence) => $"{{\"customer\":\"bench-member-{sequence % Customers}\",\"feature\":\"api_calls\",\"amount\":1}}";

    /// <summary>(c-team) Member consumes against the organisations' own, in alternating rounds on one server.</summary>
    private async Task<IReadOnlyList<LoadResult>> TeamPairAsync(string label, string provider, string connectionString)
    {
        await using var server = await StartTollgateAsync(provider, connectionString, TeamCatalog);
        await AddMembersAsync(server);
        return await PairAsync(server, label, ("organisation's consume", OrganisationConsume), ("member's consume", MemberConsume), "member ÷ organisation");
    }

    // One event for each of 500 members in turn (five of each of the 100 organisations): each counts in its organisation's
    // counter and in the member's own share.
    private static string MemberEventsBatch(int n) =>
        EventsBody(i => $"{{\"id\":\"e{n}-{i}\",\"customer\":\"bench-member-{(n * BatchSize + i) % Customers}\",\"feature\":\"api_calls\",\"amount\":1}}");

    /// <summary>(events-team) 500 events a request, each of another member of the 100 organisations.</summary>
    private async Task<IReadOnlyList<LoadResult>> MemberEventsAsync(string store, string provider, string connectionString)
    {
        await using var server = await StartTollgateAsync(provider, connectionString, TeamCatalog);
        await AddMembersAsync(server);
        var load = new LoadGenerator(server.Address, AdminKey, options.Warmup);
        var cpu = SampleSteadyState(options.Warmup + TimeSpan.FromSeconds(1), new HashSet<int> { server.Pid });
        var batched = await load.RunAsync($"(events-team) {BatchSize} usage events of as many members per request, {store}", "v1/events",
            MemberEventsBatch, options.BatchConcurrency, options.Duration, unique: true);
        Console.WriteLine($"(events-team) {BatchSize} per request, {store}, per event: {(await cpu).Describe(batched.Throughput * BatchSize)}");
        return [batched with { ItemsPerRequest = BatchSize }];
    }

    /// <summary>The bench's 1,000 customers as members, ten to each of the 100 organisations.</summary>
    private static async Task AddMembersAsync(ChildProcess server)
    {
        using var admin = new HttpClient { BaseAddress = server.Address };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        for (var i = 0; i < Customers; i++)
        {
            var org = $"bench-{i % Organisations}";
            using var added = await admin.PutAsync(new Uri($"v1/customers/{org}/members/bench-member-{i}", UriKind.Relative),
                new StringContent("{}", Encoding.UTF8, "application/json"));
            if (!added.IsSuccessStatusCode)
            {
                var why = await added.Content.ReadAsStringAsync();
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"adding member {i} to {org} answered {(int)added.StatusCode}: {why}"));
            }
        }
    }
}
