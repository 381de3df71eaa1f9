using System.Diagnostics;
using System.Net;
using Dapper;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>What an operator scrapes and probes: /metrics (checked by promtool), OTLP export and /readyz.</summary>
public abstract class ObservabilityContract : ApiContract
{
    [Fact]
    public async Task MetricsAreValidPrometheusTextWithRequestLatencyDecisionsCommitsOutboxBacklogsAndLlmCost()
    {
        await using var app = await StartAsync(ApiSetup.LlmCatalog());
        await app.CustomerAsync("ada");
        await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "ada", model = "gpt-4o", input_tokens = 1000, output_tokens = 100 });
        await app.ConsumeAsync("ada", "chat");

        var response = await app.Admin.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        var (exit, promtool) = await PromtoolAsync(text);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.True(exit == 0, "promtool check metrics: " + promtool + "\n" + text);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches("http_server_request_duration_seconds_count\\{http_request_method=\"PUT\",http_response_status_code=\"201\","
            + "http_route=\"/v1/customers/\\{id\\}\",[^}]*\\} 1\n", text);
        Assert.Matches("http_server_request_duration_seconds_bucket\\{http_request_method=\"POST\",http_response_status_code=\"200\","
            + "http_route=\"/v1/entitlements/consume\",[^}]*le=\"\\+Inf\"\\} 1\n", text);
        Assert.Matches("tollgate_entitlement_decisions_total\\{reason=\"[a-z_]+\"\\} 1", text);
        Assert.Contains("tollgate_entitlement_decision_duration_seconds_count{operation=\"consume\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("tollgate_group_commit_batch_size_bucket{le=\"+Inf\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tollgate_group_commit_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tollgate_group_commit_queue_depth gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tollgate_group_commit_reruns_total counter", text, StringComparison.Ordinal); // listed before any rerun
        Assert.Contains("# TYPE tollgate_webhook_deliveries_total counter", text, StringComparison.Ordinal);
        Assert.Matches("tollgate_llm_cost_nano_usd_total [1-9][0-9]*", text);
        foreach (var outbox in new[] { "webhook", "email", "stripe_invoice_items" })
        {
            Assert.Contains($"tollgate_outbox_backlog{{outbox=\"{outbox}\"}} ", text, StringComparison.Ordinal);
            Assert.Contains($"tollgate_outbox_oldest_age_seconds{{outbox=\"{outbox}\"}} ", text, StringComparison.Ordinal);
        }

        if (Kind == StoreKind.Postgres)
        {
            // Npgsql's pool: connections in use and idle, and the pool's maximum.
            Assert.Matches(
                "db_client_connections\\{db_client_connection_pool_name=\"[^\"]+\",db_client_connection_state=\"idle\"\\} [0-9]+", text);
            Assert.Contains("# TYPE db_client_connection_max gauge", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OutboxBacklogGaugesCountWhatWaitsAndHowOldTheOldestIs()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 500; // every delivery fails, so it stays pending
        await using var app = await StartAsync(ApiSetup.AlertsCatalog());
        await app.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = receiver.Url.ToString() });
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        await receiver.WaitForAsync(2);
        await app.AdvanceAsync(TimeSpan.FromSeconds(30));

        var text = await (await app.Admin.GetAsync("/metrics")).Content.ReadAsStringAsync();

        Assert.Matches("tollgate_outbox_backlog\\{outbox=\"webhook\"\\} [1-9][0-9]*\n", text);
        Assert.Matches("tollgate_outbox_oldest_age_seconds\\{outbox=\"webhook\"\\} (3[0-9]|[4-9][0-9])(\\.[0-9]+)?\n", text);
        Assert.Contains("tollgate_outbox_backlog{outbox=\"stripe_invoice_items\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsAreOpenToLoopbackByDefaultAndNeedAnAdminKeyFromOtherNetworks()
    {
        await using var open = await TollgateApp.StartAsync(Kind, kestrel: true);
        await using var closed = await TollgateApp.StartAsync(Kind, new Dictionary<string, string?>
        {
            ["Tollgate:Observability:MetricsNetworks:0"] = "10.0.0.0/8",
        }, kestrel: true);
        using var http = new HttpClient();

        var loopback = await http.GetAsync(new Uri(open.BaseAddress!, "metrics"));
        var outside = await http.GetAsync(new Uri(closed.BaseAddress!, "metrics"));
        using var withKey = new HttpRequestMessage(HttpMethod.Get, new Uri(closed.BaseAddress!, "metrics"));
        withKey.Headers.Authorization = new("Bearer", TollgateApp.AdminKey);
        var admin = await http.SendAsync(withKey);

        Assert.Equal(HttpStatusCode.OK, loopback.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, outside.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task ReadyzAnswersWithoutAKeyAnd503WhenTheSchemaIsBehind()
    {
        await using var app = await StartAsync();

        var ready = await app.Anonymous.GetAsync("/readyz");
        await app.Get<TollgateDatabase>().WriteAsync((c, t) =>
            c.ExecuteAsync("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)", transaction: t));
        var behind = await app.Anonymous.GetAsync("/readyz");
        var problem = await behind.ReadAsync();

        Assert.Equal(("ready", HttpStatusCode.OK), ((await ready.ReadAsync())["status"].Value<string>(), ready.StatusCode));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, behind.StatusCode);
        Assert.Equal("migrations_pending", problem["error"].Value<string>());
        Assert.True(behind.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task OtlpGetsSpansNamedByRouteWithStatusAndTheDecisionButNoCustomerIdAndTheMetrics()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var settings = ApiSetup.LlmCatalog();
        settings["Tollgate:Otlp:Endpoint"] = collector.Url;
        settings["Tollgate:Otlp:ExportIntervalSeconds"] = "1";
        var app = await StartAsync(settings);
        const string customer = "ada-lovelace-7731";
        await app.CustomerAsync(customer);
        // A loaded machine can fill the exporter's queue and drop a span: wait for a consume of this feature with its
        // decision, consuming again (at most 5 times) if none comes.
        string[] decided = ["POST /v1/entitlements/consume", "tollgate.feature", "chat", "tollgate.decision.reason"];
        for (var attempt = 0; attempt < 5 && collector.Having("/v1/traces", decided).Count == 0; attempt++)
        {
            await app.ConsumeAsync(customer, "chat");
            for (var waited = 0; waited < 50 && collector.Having("/v1/traces", decided).Count == 0; waited++)
            {
                await Task.Delay(100);
            }
        }

        // The customer's PUT may be dropped the same way: put it again (an upsert) until its span comes.
        for (var attempt = 0; attempt < 5 && collector.Having("/v1/traces", "PUT /v1/customers/{id}").Count == 0; attempt++)
        {
            for (var waited = 0; waited < 50 && collector.Having("/v1/traces", "PUT /v1/customers/{id}").Count == 0; waited++)
            {
                await Task.Delay(100);
            }

            if (collector.Having("/v1/traces", "PUT /v1/customers/{id}").Count == 0)
            {
                await app.CustomerAsync(customer);
            }
        }

        // The periodic export delivers both signals; waiting for it keeps the test off the shutdown's own timing.
        await collector.WaitForAsync("/v1/metrics", "http.server.request.duration", "tollgate.entitlement.decisions");

        await app.DisposeAsync(); // stopping the host flushes what is left

        var traces = collector.Received.Where(r => r.Path == "/v1/traces").ToList();
        var consume = collector.Having("/v1/traces", "POST /v1/entitlements/consume");
        Assert.NotEmpty(consume);
        Assert.All(collector.Received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.Contains(consume, r => new[] { "http.route", "/v1/entitlements/consume", "http.request.method", "http.response.status_code",
            "url.scheme", "server.address", "tollgate.feature", "chat", "tollgate.decision.reason" }
            .All(t => r.Text.Contains(t, StringComparison.Ordinal)));
        Assert.NotEmpty(collector.Having("/v1/traces", "PUT /v1/customers/{id}"));
        Assert.DoesNotContain(traces, r => r.Text.Contains("Microsoft.AspNetCore.Hosting.HttpRequestIn", StringComparison.Ordinal));
        Assert.DoesNotContain(traces, r => r.Text.Contains(customer, StringComparison.Ordinal));
        Assert.NotEmpty(collector.Having("/v1/metrics", "http.server.request.duration", "tollgate.entitlement.decisions"));
    }

    [Fact]
    public async Task StripeAndWebhookReceiversGetNoTraceparentWhileTracingIsOn()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: new Dictionary<string, string?>
        {
            ["Tollgate:Otlp:Endpoint"] = collector.Url, ["Tollgate:Otlp:ExportIntervalSeconds"] = "1",
            ["Tollgate:Webhooks:AllowPrivateTargets"] = "true", ["Tollgate:Webhooks:PollInterval"] = "00:00:00.050",
        });
        await h.App.Admin.PostJsonAsync("/v1/admin/webhook-endpoints", new { url = receiver.Url.ToString() });
        // The caller's own trace context comes in, so each outgoing call has a parent it could have passed on.
        h.App.Admin.DefaultRequestHeaders.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        await h.App.CustomerAsync("ada", "ada@example.com");
        var checkout = await h.PostCheckoutAsync("ada", "pro");
        var deliveries = await receiver.WaitForAsync(1);
        await collector.WaitForAsync("/v1/traces", "POST /v1/billing/checkout-sessions");

        Assert.Equal(HttpStatusCode.OK, checkout.StatusCode);
        Assert.NotEmpty(collector.Having("/v1/traces", "POST /v1/billing/checkout-sessions")); // tracing was on
        Assert.NotEmpty(h.Stripe.Requests);
        Assert.All(h.Stripe.Requests, r => Assert.Null(r.Traceparent));
        // Stripe.net's telemetry would send the ids and timings of earlier calls, a machine id and the OS; it is turned off.
        Assert.All(h.Stripe.Requests, r => Assert.Null(r.ClientTelemetry));
        Assert.All(h.Stripe.Requests, r => Assert.Contains("\"lang\":\".net\"", r.ClientUserAgent, StringComparison.Ordinal));
        Assert.All(h.Stripe.Requests, r => Assert.DoesNotContain("telemetry_id", r.ClientUserAgent!, StringComparison.Ordinal));
        Assert.All(h.Stripe.Requests, r => Assert.DoesNotContain("\"platform\"", r.ClientUserAgent!, StringComparison.Ordinal));
        Assert.All(deliveries, d => Assert.False(d.Headers.ContainsKey("traceparent"), string.Join(", ", d.Headers.Keys)));
    }

    [Fact]
    public async Task AnEMailSentWhileTracingIsOnCarriesNoTraceContext()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        await using var collector = await OtlpCollector.StartAsync();
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await StartAsync(Email.EmailLog.Settings(smtp, null,
            ("Tollgate:Otlp:Endpoint", collector.Url), ("Tollgate:Otlp:ExportIntervalSeconds", "1")), Email.EmailLog.Start);
        // The request that crosses the threshold comes in with a trace of its own, which the mail must not pass on.
        app.Admin.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var mail = (await smtp.WaitForAsync(1))[0];
        await collector.WaitForAsync("/v1/traces", "POST /v1/entitlements/consume");

        Assert.NotEmpty(collector.Having("/v1/traces", "POST /v1/entitlements/consume")); // tracing was on
        Assert.Equal("You have used 80% of your CV generation", mail.Subject);
        Assert.DoesNotContain("traceparent", mail.Raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tracestate", mail.Raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(traceId, mail.Raw, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<(int Exit, string Output)> PromtoolAsync(string exposition)
    {
        var start = new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}

/// <summary>
/// The OTLP tests run alone, after the parallel classes: a tracer samples every host's "Microsoft.AspNetCore" activities
/// in the process, and another test's request whose activity began while this test's provider was being built is
/// exported without the instrumentation having named it by route (a clean-clone run saw one, named HttpRequestIn).
/// </summary>
[CollectionDefinition(nameof(ProcessWideTelemetry), DisableParallelization = true)]
public sealed class ProcessWideTelemetry;

[Collection(nameof(ProcessWideTelemetry))]
public sealed class SqliteObservabilityTests : ObservabilityContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

[Collection(nameof(ProcessWideTelemetry))]
public sealed class PostgresObservabilityTests : ObservabilityContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
