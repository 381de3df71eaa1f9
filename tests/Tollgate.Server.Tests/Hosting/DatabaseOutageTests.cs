using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>PostgreSQL goes away under a running server (a restart, a failover): answers are 503 with Retry-After, never 500.</summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task APostgresOutageAnswers503DatabaseUnavailableWithRetryAfterNamingNoDatabaseAddress()
    {
        var database = await TestDatabases.CreateAsync(StoreKind.Postgres, migrated: false);
        var real = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var proxy = TcpProxy.Start(real.Host!, real.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        await using var app = await TollgateApp.StartAsync(StoreKind.Postgres, ApiSetup.RulesCatalog(), connectionString: throughProxy);
        await app.CustomerAsync("ada");

        proxy.Stop(); // every open connection is cut and new ones are refused
        var answers = new[]
        {
            await app.Admin.GetAsync("/v1/customers/ada"),
            await app.Admin.PutJsonAsync("/v1/customers/bob", new { email = "bob@example.com" }),
            await app.ConsumeAsync("ada", "capped"),
            await app.Anonymous.GetAsync("/readyz"),
        };

        foreach (var response in answers)
        {
            var problem = await response.ReadAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("database_unavailable", problem["error"].Value<string>());
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
            // The database's address is the operator's to read in the log, not an anonymous caller's (/readyz is public).
            Assert.DoesNotContain($":{proxy.Port}", problem.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal("The database is unavailable right now; retry after a few seconds.", problem["detail"].Value<string>());
        }
    }
}
