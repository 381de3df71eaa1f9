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

    /// <summary>Forwards TCP to PostgreSQL until stopped; then cuts every connection, like a database that went down.</summary>
    private sealed class TcpProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<TcpClient> _open = [];
        private readonly CancellationTokenSource _stop = new();

        private TcpProxy()
        {
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static TcpProxy Start(string host, int port)
        {
            var proxy = new TcpProxy();
            proxy._listener.Start();
            _ = proxy.AcceptAsync(host, port);
            return proxy;
        }

        public void Stop()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (var client in _open)
            {
                if (client.Client is { Connected: true } socket)
                {
                    socket.LingerState = new LingerOption(true, 0); // a reset, as from a killed server
                }

                client.Dispose();
            }
        }

        public ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                Stop();
            }

            _stop.Dispose();
            return ValueTask.CompletedTask;
        }

        private async Task AcceptAsync(string host, int port)
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var outbound = new TcpClient();
                    await outbound.ConnectAsync(host, port, _stop.Token);
                    _open.Add(inbound);
                    _open.Add(outbound);
                    _ = PumpAsync(inbound, outbound);
                    _ = PumpAsync(outbound, inbound);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task PumpAsync(TcpClient from, TcpClient to)
        {
            try
            {
                await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
            finally
            {
                to.Dispose();
            }
        }
    }
}
