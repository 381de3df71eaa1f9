using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// An amount of units is one rule wherever a request carries one (check, consume, reserve, commit, an event, a grant): a
/// refused number is 400 validation_failed naming amount, however it is wrong, and a number past the most it may be
/// says it is too large, whether or not it fits in 64 bits. Every amount here is refused, so a class shares one server.
/// </summary>
public abstract class AmountValidationContract(SharedServer shared) : ApiContract(shared)
{
    private const string WholeNumber = "must be a whole number from 1 to 1,000,000,000";
    private const string TooLarge = "is too large: at most 1,000,000,000";
    private const string NotInteger = "must be written as an integer, without a decimal point or exponent (5, not 5.0 or 5e0)";

    public static TheoryData<string, string> Amounts => new()
    {
        { "0", WholeNumber },
        { "-5", WholeNumber },
        { "1.5", WholeNumber },
        { "-99999999999999999999", WholeNumber },
        { "1000000001", TooLarge },
        { "9223372036854775807", TooLarge },
        { "99999999999999999999", TooLarge },
        { "1e30", TooLarge },
        { "5.0", NotInteger }, // a whole number all the same, not a large one
        { "1e1", NotInteger },
        { "5e9", TooLarge }, // whole, but past the most: rewriting it would not help
    };

    [Theory]
    [MemberData(nameof(Amounts))]
    public async Task AnAmountThatIsNotAllowedIsOneValidationProblemOnEveryEntitlementCall(string amount, string problem)
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");
        var held = (await (await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1", feature = "capped" })).ReadAsync())["id"]
            .Value<string>();
        var body = $"{{\"customer\": \"c1\", \"feature\": \"capped\", \"amount\": {amount}}}";
        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["check"] = await app.Admin.PostJsonAsync("/v1/entitlements/check", body),
            ["consume"] = await app.Admin.PostJsonAsync("/v1/entitlements/consume", body),
            ["reserve"] = await app.Admin.PostJsonAsync("/v1/entitlements/reserve", body),
        };
        if (amount != "0") // a commit of 0 settles the hold to nothing used
        {
            answers["commit"] = await app.Admin.PostJsonAsync($"/v1/reservations/{held}/commit", $"{{\"amount\": {amount}}}");
        }

        foreach (var (call, response) in answers)
        {
            var refused = await response.ReadAsync();
            var expected = call == "commit" ? problem.Replace("from 1 to", "from 0 to", StringComparison.Ordinal) : problem;
            Assert.Equal((call, HttpStatusCode.BadRequest, "validation_failed", expected),
                (call, response.StatusCode, refused["error"].Value<string>(), refused["errors"]?["amount"].Value<string>()));
        }

        var usage = await (await app.Admin.GetAsync("/v1/customers/c1/usage")).ReadAsync();
        Assert.Equal(0, usage["features"]!["capped"]!["used"].Value<long>());
    }

    [Theory]
    [InlineData("1.0", NotInteger)]
    [InlineData("3000000000.0", "is too large")] // past an int: rewritten as an integer it would still be refused
    [InlineData("-3000000000", "is too small")]
    public async Task AnIntFieldSaysAWholeNumberMustBeWrittenAsAnIntegerOnlyWhenItWouldFit(string days, string problem)
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());

        var response = await app.Admin.PostJsonAsync("/v1/subscriptions", $$"""{"customer": "c1", "plan": "pro", "trial_days": {{days}}}""");

        Assert.Equal((HttpStatusCode.BadRequest, problem), (response.StatusCode, (await response.ReadAsync())["errors"]?["trial_days"].Value<string>()));
    }

    [Theory]
    [MemberData(nameof(Amounts))]
    public async Task AnEventsAmountThatIsNotAllowedIsRejectedWithTheSameWords(string amount, string problem)
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");

        var body = $"{{\"events\": [{{\"id\": \"e1\", \"customer\": \"c1\", \"feature\": \"tracked\", \"amount\": {amount}}}]}}";
        var result = await (await app.Admin.PostJsonAsync("/v1/events", body)).ReadAsync();

        Assert.Equal(0, result["accepted"].Value<int>());
        Assert.Equal($"amount: {problem}", result["rejected"]![0]!["reason"].Value<string>());
    }

    [Theory]
    [InlineData("0", "must be a whole number from 1 to 1,000,000,000,000")]
    [InlineData("1.5", "must be a whole number")]
    [InlineData("5.0", NotInteger)]
    [InlineData("1000000000001", "is too large: at most 1,000,000,000,000")]
    [InlineData("99999999999999999999", "is too large")] // past 64 bits; the most depends on the grant (units or nano-USD)
    public async Task AGrantsAmountThatIsNotAllowedIsTheSameValidationProblem(string amount, string problem)
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());
        await app.CustomerAsync("c1");

        var response = await app.Admin.PostJsonAsync("/v1/customers/c1/grants", $"{{\"feature\": \"capped\", \"amount\": {amount}}}");
        var refused = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed", problem),
            (response.StatusCode, refused["error"].Value<string>(), refused["errors"]?["amount"].Value<string>()));
        Assert.Empty((await (await app.Admin.GetAsync("/v1/customers/c1/grants")).ReadAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task AnAmountOfTheWrongTypeIsInvalidJsonAsAnyWrongTypeIs()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog());

        var response = await app.Admin.PostJsonAsync("/v1/entitlements/consume", "{\"customer\": \"c1\", \"feature\": \"capped\", \"amount\": \"5\"}");
        var refused = await response.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (response.StatusCode, refused["error"].Value<string>()));
        Assert.Equal("amount: must be a whole number from 1 to 1,000,000,000", refused["detail"].Value<string>());
    }
}

public sealed class SqliteAmountValidationTests(SharedServer shared) : AmountValidationContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresAmountValidationTests(SharedServer shared) : AmountValidationContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
