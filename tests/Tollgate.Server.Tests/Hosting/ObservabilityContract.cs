using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>What an operator scrapes and probes: /metrics (checked by promtool), OTLP export and /readyz.</summary>
public abstract class ObservabilityContract : ApiContract
{
    [Fact]
    public async Task MetricsAreValidPrometheusTextCoveringRequestsDecisionsCommitsWebhooksAndLlmCost()
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
        Assert.Contains("tollgate_http_requests_total{method=\"PUT\",route=\"/v1/customers/{id}\",status=\"201\"} 1", text, StringComparison.Ordinal);
        Assert.Matches("tollgate_entitlement_decisions_total\\{reason=\"[a-z_]+\"\\} 1", text);
        Assert.Contains("tollgate_group_commit_batch_size_bucket{le=\"+Inf\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tollgate_group_commit_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tollgate_group_commit_queue_depth gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tollgate_webhook_deliveries_total counter", text, StringComparison.Ordinal);
        Assert.Matches("tollgate_llm_cost_nano_usd_total [1-9][0-9]*", text);
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
    public async Task MetricsAndTracesAreExportedWithOtlpWhenAnEndpointIsSet()
    {
        var received = new ConcurrentQueue<(string Path, string ContentType, byte[] Body)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            received.Enqueue((http.Request.Path, http.Request.ContentType ?? "", body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync();

        var app = await StartAsync(new Dictionary<string, string?>
        {
            ["Tollgate:Otlp:Endpoint"] = collector.Urls.First(), ["Tollgate:Otlp:ExportIntervalSeconds"] = "1",
        });
        await app.CustomerAsync("ada");
        // The periodic export delivers both signals; waiting for it keeps the test off the shutdown's own timing.
        bool Has(string path, string text) => received.Any(r => r.Path == path && Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal));
        for (var waited = 0; waited < 300 && !(Has("/v1/metrics", "tollgate.http.requests") && Has("/v1/traces", "Microsoft.AspNetCore")); waited++)
        {
            await Task.Delay(100);
        }

        await app.DisposeAsync(); // stopping the host flushes what is left

        var metrics = received.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(metrics);
        Assert.All(metrics, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.Contains(metrics, r => Encoding.UTF8.GetString(r.Body).Contains("tollgate.http.requests", StringComparison.Ordinal));
        Assert.Contains(received, r => r.Path == "/v1/traces" && Encoding.UTF8.GetString(r.Body).Contains("Microsoft.AspNetCore", StringComparison.Ordinal));
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

public sealed class SqliteObservabilityTests : ObservabilityContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresObservabilityTests : ObservabilityContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
