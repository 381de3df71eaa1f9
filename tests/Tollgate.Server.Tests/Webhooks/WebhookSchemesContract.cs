using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Webhooks;

/// <summary>
/// Each endpoint's signature scheme, checked the way its receiver checks it: Stripe's constructEvent for "tollgate",
/// the standardwebhooks package for "standard" (tests/webhook-verifiers, real npm packages run by node).
/// </summary>
public abstract class WebhookSchemesContract(SharedServer shared) : ApiContract(shared, wholeClass: false)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 30, 0, 0, 0, TimeSpan.Zero);

    private Task<TollgateApp> AppAsync() => StartAsync(ApiSetup.AlertsCatalog(), Start);

    private static async Task<JsonNode> EndpointAsync(TollgateApp app, WebhookReceiver receiver, string? scheme) =>
        await (await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", scheme is null
            ? new { url = receiver.Url.ToString() }
            : new { url = receiver.Url.ToString(), signature_scheme = scheme })).ReadAsync();

    [Fact]
    public async Task DeliveriesOfBothSchemesVerifyWithTheReceiversOwnLibrariesAndATamperedBodyDoesNot()
    {
        await using var stripeStyle = await WebhookReceiver.StartAsync();
        await using var standard = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        await app.CustomerAsync("c1");
        var tollgateSecret = (await EndpointAsync(app, stripeStyle, null))["secret"].Value<string>()!;
        var standardSecret = (await EndpointAsync(app, standard, "standard"))["secret"].Value<string>()!;

        await app.ConsumeAsync("c1", "cv_generate", 8); // 80 %: usage.threshold_crossed
        await app.ConsumeAsync("c1", "cv_generate", 1); // 90 %: another
        var received = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var toStripeStyle = await stripeStyle.WaitForAsync(2);
        var toStandard = await standard.WaitForAsync(2);
        var input = toStripeStyle.Select(r => Delivery("tollgate", tollgateSecret, r, received))
            .Concat(toStandard.Select(r => Delivery("standard", standardSecret, r, received)))
            .Concat([Delivery("tollgate", tollgateSecret, Tampered(toStripeStyle[0]), received), Delivery("standard", standardSecret, Tampered(toStandard[0]), received)])
            .ToList();

        var results = await VerifyAsync(input);

        Assert.All(results.Take(4), r => Assert.Equal((true, "usage.threshold_crossed"), (r!["verified"].Value<bool>(), r["type"].Value<string>())));
        Assert.All(results.Skip(4), r => Assert.False(r!["verified"].Value<bool>()));
        // webhook-id is the event's id; the stripe-style deliveries carry no Standard Webhooks headers, and the standard ones no Tollgate-Signature.
        Assert.Equal(results[2]!["id"].Value<string>(), toStandard[0].Headers["webhook-id"]);
        Assert.StartsWith("v1,", toStandard[0].Headers["webhook-signature"], StringComparison.Ordinal);
        Assert.False(toStripeStyle[0].Headers.ContainsKey("webhook-signature"));
        Assert.False(toStandard[0].Headers.ContainsKey("Tollgate-Signature"));
    }

    [Fact]
    public async Task ListAndGetShowEachEndpointsSchemeAndAStandardSecretIsWhsecBase64()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();

        var plain = await EndpointAsync(app, receiver, null);
        var standard = await EndpointAsync(app, receiver, "standard");
        var listed = (await (await app.Admin.GetAsync("/v1/admin/webhook-endpoints")).ReadAsync())["data"]!.AsArray();
        var got = await (await app.Admin.GetAsync($"/v1/admin/webhook-endpoints/{standard["id"].Value<string>()}")).ReadAsync();

        Assert.Equal(("tollgate", "standard"), (plain["signature_scheme"].Value<string>(), standard["signature_scheme"].Value<string>()));
        Assert.Equal(new Dictionary<string, string> { [plain["id"].Value<string>()!] = "tollgate", [standard["id"].Value<string>()!] = "standard" },
            listed.ToDictionary(e => e!["id"].Value<string>()!, e => e!["signature_scheme"].Value<string>()!));
        Assert.Equal("standard", got["signature_scheme"].Value<string>());
        var secret = standard["secret"].Value<string>()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
    }

    [Theory]
    [InlineData("{\"url\": \"URL\", \"signature_scheme\": \"svix\"}", "signature_scheme")]
    [InlineData("{\"url\": \"URL\", \"signature_scheme\": \"Standard\"}", "signature_scheme")]
    [InlineData("{\"url\": \"URL\", \"signature_scheme\": \"standard\", \"secret\": \"not-a-whsec-secret-at-all\"}", "secret")]
    [InlineData("{\"url\": \"URL\", \"signature_scheme\": \"standard\", \"secret\": \"whsec_c2hvcnQ=\"}", "secret")]
    public async Task ABadSchemeOrAStandardSecretInTheWrongFormatIsA400NamingTheFieldAndCreatesNothing(string body, string field)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await StartSharedAsync(ApiSetup.AlertsCatalog(), Start);

        var response = await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", body.Replace("URL", receiver.Url.ToString(), StringComparison.Ordinal));
        var problem = await response.ReadAsync();
        var listed = (await (await app.Admin.GetAsync("/v1/admin/webhook-endpoints")).ReadAsync())["data"]!.AsArray();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
        Assert.Empty(listed);
    }

    [Fact]
    public async Task ATestEventReachesOnlyItsEndpointWhateverEventsItTakesSignedWithItsSchemeAndLogged()
    {
        await using var standard = await WebhookReceiver.StartAsync();
        await using var bystander = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        var endpoint = await (await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints",
            new { url = standard.Url.ToString(), signature_scheme = "standard", events = new[] { "invoice.paid" } })).ReadAsync();
        var other = (await EndpointAsync(app, bystander, null))["id"].Value<string>()!;
        var id = endpoint["id"].Value<string>()!;

        var response = await app.Admin.PostAsync($"/v1/admin/webhook-endpoints/{id}/test", null);
        var delivery = await response.ReadAsync();
        var received = await standard.WaitForAsync(1);
        var verified = (await VerifyAsync([Delivery("standard", endpoint["secret"].Value<string>()!, received[0], app.Clock.GetUtcNow().ToUnixTimeMilliseconds())]))[0]!;
        var logged = (await (await app.Admin.GetAsync($"/v1/admin/webhook-deliveries?endpoint={id}")).ReadAsync())["data"]!.AsArray();
        var toOther = (await (await app.Admin.GetAsync($"/v1/admin/webhook-deliveries?endpoint={other}")).ReadAsync())["data"]!.AsArray();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(("webhook.test", id), (delivery["event_type"].Value<string>(), delivery["endpoint"].Value<string>()));
        Assert.Equal((true, "webhook.test"), (verified["verified"].Value<bool>(), verified["type"].Value<string>()));
        Assert.Equal(delivery["id"].Value<string>(), Assert.Single(logged)!["id"].Value<string>());
        Assert.Empty(toOther);
    }

    [Fact]
    public async Task ATestEventForADisabledEndpointIs409AndForAnUnknownOne404AndQueuesNothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        var id = (await EndpointAsync(app, receiver, null))["id"].Value<string>()!;
        await app.Admin.PostAsync($"/v1/admin/webhook-endpoints/{id}/disable", null);

        var disabled = await app.Admin.PostAsync($"/v1/admin/webhook-endpoints/{id}/test", null);
        var unknown = await app.Admin.PostAsync("/v1/admin/webhook-endpoints/we_nope/test", null);
        var deliveries = (await (await app.Admin.GetAsync("/v1/admin/webhook-deliveries")).ReadAsync())["data"]!.AsArray();

        Assert.Equal((HttpStatusCode.Conflict, "endpoint_disabled"), (disabled.StatusCode, (await disabled.ReadAsync())["error"].Value<string>()));
        Assert.Equal((HttpStatusCode.NotFound, "endpoint"), (unknown.StatusCode, (await unknown.ReadAsync())["resource"].Value<string>()));
        Assert.Empty(deliveries);
    }

    [Fact]
    public async Task ARotatedSecretSignsBesideTheNewOneUntilItsGraceEndsAndTheOfficialVerifiersAcceptEither()
    {
        await using var stripeStyle = await WebhookReceiver.StartAsync();
        await using var standard = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        var endpoints = new[] { (await EndpointAsync(app, stripeStyle, null), stripeStyle, "tollgate"), (await EndpointAsync(app, standard, "standard"), standard, "standard") };
        var rotated = new List<JsonNode>();
        foreach (var (endpoint, _, _) in endpoints)
        {
            var answer = await app.Admin.PostJsonAsync($"/v1/admin/webhook-endpoints/{endpoint["id"]}/rotate-secret", new { previous_secret_expires_in_hours = 2 });
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            rotated.Add(await answer.ReadAsync());
        }

        async Task<List<object>> SendAndRecordAsync(int count)
        {
            foreach (var (endpoint, _, _) in endpoints)
            {
                await app.Admin.PostAsync($"/v1/admin/webhook-endpoints/{endpoint["id"]}/test", null);
            }

            var at = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
            var checks = new List<object>();
            for (var i = 0; i < endpoints.Length; i++)
            {
                var (endpoint, receiver, scheme) = endpoints[i];
                var request = (await receiver.WaitForAsync(count))[count - 1];
                checks.Add(Delivery(scheme, endpoint["secret"].Value<string>()!, request, at));
                checks.Add(Delivery(scheme, rotated[i]["secret"].Value<string>()!, request, at));
            }

            return checks;
        }

        var during = await VerifyAsync(await SendAndRecordAsync(1));
        await app.AdvanceAsync(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        var after = await VerifyAsync(await SendAndRecordAsync(2));

        Assert.All(rotated.Zip(endpoints), r => Assert.NotEqual(r.Second.Item1["secret"].Value<string>(), r.First["secret"].Value<string>()));
        Assert.StartsWith("whsec_", rotated[1]["secret"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal([true, true, true, true], during.Select(r => r!["verified"].Value<bool>()));
        Assert.Equal([false, true, false, true], after.Select(r => r!["verified"].Value<bool>())); // the old secrets stopped signing
        Assert.Equal(2, standard.Requests.First().Headers["webhook-signature"].Split(' ').Length);
        Assert.Single(standard.Requests.Last().Headers["webhook-signature"].Split(' '));
    }

    [Fact]
    public async Task ARotationWithoutABodyKeepsTheOldSecretADayAndABadGraceOrSecretIsA400NamingItAndChangesNothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await AppAsync();
        var endpoint = await EndpointAsync(app, receiver, "standard");
        var id = endpoint["id"].Value<string>()!;

        var longGrace = await app.Admin.PostJsonAsync($"/v1/admin/webhook-endpoints/{id}/rotate-secret", new { previous_secret_expires_in_hours = 169 });
        var badSecret = await app.Admin.PostJsonAsync($"/v1/admin/webhook-endpoints/{id}/rotate-secret", new { secret = "not-a-standard-secret" });
        var unknown = await app.Admin.PostAsync("/v1/admin/webhook-endpoints/we_nope/rotate-secret", null);
        var unchanged = await (await app.Admin.GetAsync($"/v1/admin/webhook-endpoints/{id}")).ReadAsync();
        var rotated = await app.Admin.PostAsync($"/v1/admin/webhook-endpoints/{id}/rotate-secret", null);
        var body = await rotated.ReadAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "previous_secret_expires_in_hours"), (longGrace.StatusCode, (await longGrace.ReadAsync())["errors"]!.AsObject().Single().Key));
        Assert.Equal((HttpStatusCode.BadRequest, "secret"), (badSecret.StatusCode, (await badSecret.ReadAsync())["errors"]!.AsObject().Single().Key));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Null(unchanged["previous_secret_expires_at"]);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.NotEqual(endpoint["secret"].Value<string>(), body["secret"].Value<string>());
        Assert.Equal(app.Clock.GetUtcNow().AddDays(1), DateTimeOffset.Parse(body["previous_secret_expires_at"].Value<string>()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AReceiverThatAnswers410GoneHasItsEndpointDisabledAfterOneAttempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 410;
        await using var app = await AppAsync();
        var id = (await EndpointAsync(app, receiver, null))["id"].Value<string>()!;

        await app.Admin.PostAsync($"/v1/admin/webhook-endpoints/{id}/test", null);
        await receiver.WaitForAsync(1);
        var endpoint = await RealTime.UntilAsync(async () => await (await app.Admin.GetAsync($"/v1/admin/webhook-endpoints/{id}")).ReadAsync(),
            e => !e["enabled"].Value<bool>(), _ => "the endpoint that answered 410 to be disabled");
        var delivery = (await (await app.Admin.GetAsync($"/v1/admin/webhook-deliveries?endpoint={id}")).ReadAsync())["data"]!.AsArray().Single()!;
        var again = await app.Admin.PostAsync($"/v1/admin/webhook-endpoints/{id}/test", null);

        Assert.False(endpoint["enabled"].Value<bool>());
        Assert.Equal(("dead", 410, 1), (delivery["status"].Value<string>(), delivery["last_status"].Value<int>(), delivery["attempts"].Value<int>()));
        Assert.Contains("disabled", delivery["last_error"].Value<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    private static object Delivery(string scheme, string secret, WebhookReceiver.Received request, long receivedAtMs) =>
        new { scheme, secret, body = request.Body, headers = request.Headers, received_at_ms = receivedAtMs };

    private static WebhookReceiver.Received Tampered(WebhookReceiver.Received request) =>
        request with { Body = request.Body.Replace("\"c1\"", "\"c2\"", StringComparison.Ordinal) };

    /// <summary>Runs tests/webhook-verifiers/verify.mjs on the deliveries; installs its pinned packages first if they are missing.</summary>
    private static async Task<JsonArray> VerifyAsync(IReadOnlyList<object> deliveries)
    {
        var dir = Path.Combine(Json.RepoRoot(), "tests", "webhook-verifiers");
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            var (installed, _, error) = await RunAsync(dir, Path.Combine(dir, "install.sh"));
            Assert.True(installed == 0, error);
        }

        var file = Path.Combine(Path.GetTempPath(), $"tollgate-deliveries-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(deliveries));
        try
        {
            var (exit, output, errors) = await RunAsync(dir, "node", "verify.mjs", file);
            Assert.True(exit == 0, errors);
            return JsonNode.Parse(output)!.AsArray();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string dir, string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}

public sealed class SqliteWebhookSchemesTests(SharedServer shared) : WebhookSchemesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresWebhookSchemesTests(SharedServer shared) : WebhookSchemesContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
