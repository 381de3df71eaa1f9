using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// During a failover the database is away, or answers from a host that is read-only: whatever endpoint a client calls,
/// the answer is a 503 database_unavailable with Retry-After (or what the endpoint answers without the database), never a
/// 500, and it never names a host.
/// </summary>
public sealed partial class DatabaseOutageSweepTests
{
    [Fact]
    public async Task WithEveryHostOfAMultiHostStringDownNoEndpointAnswers500OrNamesAHost()
    {
        var database = await TestDatabases.CreateAsync(StoreKind.Postgres, migrated: false);
        var real = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var proxy = TcpProxy.Start(real.Host!, real.Port);
        var dead = PostgresServer.FreePort(); // the standby's address, with nothing listening
        var multiHost = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Host = $"127.0.0.1:{proxy.Port},127.0.0.1:{dead}", TargetSessionAttributes = "primary",
        }.ConnectionString;
        await using var app = await TollgateApp.StartAsync(StoreKind.Postgres, ApiSetup.RulesCatalog(), connectionString: multiHost);
        await app.CustomerAsync("c1");
        var routes = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                (Method: m, Path: PathParameter().Replace("/" + e.RoutePattern.RawText!.TrimStart('/'), "c1"))))
            .Distinct().ToList();

        proxy.Stop(); // every open connection is cut and new ones are refused, as when the primary dies
        var failures = new List<string>();
        var unavailable = 0;
        foreach (var (method, path) in routes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await app.Admin.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var outage = body.Contains("\"database_unavailable\"", StringComparison.Ordinal);
            unavailable += outage ? 1 : 0;
            if (response.StatusCode == HttpStatusCode.InternalServerError || (outage && !(response.Headers.RetryAfter?.Delta > TimeSpan.Zero))
                || ((int)response.StatusCode >= 500 && NamesAHost(body, proxy.Port, dead)))
            {
                failures.Add($"{method} {path} → {(int)response.StatusCode} {(body.Length > 200 ? body[..200] : body)}");
            }
        }

        // What must reach the database, with bodies it accepts, answers that it is unavailable.
        var writes = new[]
        {
            await app.ConsumeAsync("c1", "capped"),
            await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1", feature = "capped", amount = 1 }),
            await app.Admin.PostJsonAsync("/v1/events", new { events = new[] { new { id = "e1", customer = "c1", feature = "capped", amount = 1 } } }),
            await app.Admin.PutJsonAsync("/v1/customers/c2", new { email = "c2@example.com" }),
            await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1", plan = "pro", billing_period = "monthly" }),
            await app.Admin.GetAsync("/v1/customers/c1/usage"),
            await app.Anonymous.GetAsync("/readyz"),
        };

        Assert.True(routes.Count > 100, $"only {routes.Count} routes");
        Assert.True(failures.Count == 0, $"{failures.Count} of {routes.Count} answers were 500s or named a host:\n{string.Join("\n", failures.Take(40))}");
        Assert.True(unavailable > 50, $"only {unavailable} of {routes.Count} routes reached the database");
        foreach (var response in writes)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains("\"database_unavailable\"", StringComparison.Ordinal)
                && response.Headers.RetryAfter?.Delta > TimeSpan.Zero && !NamesAHost(body, proxy.Port, dead),
                $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri} answered {(int)response.StatusCode} {body}");
        }
    }

    [Fact]
    public async Task ADatabaseThatTurnedReadOnlyAnswersWritesWith503DatabaseUnavailable()
    {
        var database = await TestDatabases.CreateAsync(StoreKind.Postgres, migrated: false);
        await using var app = await TollgateApp.StartAsync(StoreKind.Postgres, ApiSetup.RulesCatalog(), connectionString: database.ConnectionString);
        await app.CustomerAsync("c1");

        // As a host does while it is demoted to a standby, or when it is a standby: every new session is read-only.
        var name = new NpgsqlConnectionStringBuilder(database.ConnectionString).Database!;
        await using (var admin = new NpgsqlConnection(await PostgresServer.AdminConnectionStringAsync()))
        {
            await admin.OpenAsync();
            await using var readOnly = new NpgsqlCommand($"ALTER DATABASE {name} SET default_transaction_read_only = on", admin);
            await readOnly.ExecuteNonQueryAsync();
            await using var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'", admin);
            await terminate.ExecuteNonQueryAsync();
        }

        // The first answers may meet the connections that were cut; the ones after meet read-only sessions.
        var answers = new List<HttpResponseMessage>();
        for (var round = 0; round < 3; round++)
        {
            answers.Add(await app.ConsumeAsync("c1", "capped"));
            answers.Add(await app.Admin.PutJsonAsync($"/v1/customers/c{round + 2}", new { email = "c2@example.com" }));
            answers.Add(await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1", plan = "pro", billing_period = "monthly" }));
            answers.Add(await app.Admin.PostJsonAsync("/v1/entitlements/reserve", new { customer = "c1", feature = "capped", amount = 1 }));
        }

        foreach (var response in answers)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains("\"database_unavailable\"", StringComparison.Ordinal)
                && response.Headers.RetryAfter?.Delta > TimeSpan.Zero,
                $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri} answered {(int)response.StatusCode} {body}");
        }
    }

    /// <summary>
    /// Whether an answer names the database's address, as Npgsql's messages do ("Failed to connect to 127.0.0.1:5432"). The
    /// test server's own name, localhost, may appear in pages' links, and a port's digits alone in a trace id.
    /// </summary>
    private static bool NamesAHost(string body, params int[] ports) =>
        body.Contains("127.0.0.1", StringComparison.Ordinal)
        || ports.Any(p => body.Contains(":" + p.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));

    [GeneratedRegex("{[^}]+}")]
    private static partial Regex PathParameter();
}
