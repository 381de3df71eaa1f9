using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Tollgate.Testing;

/// <summary>
/// A throwaway PgBouncer (the Debian package's) in front of the tests' PostgreSQL, with few server connections so that
/// one client's transactions really do land on different ones. Disposing stops it and deletes its files.
/// </summary>
public sealed class PgBouncer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private PgBouncer(Process process, string dir, int port) => (_process, _dir, Port) = (process, dir, port);

    public int Port { get; }

    /// <summary>Starts PgBouncer in <paramref name="poolMode"/> (session, transaction) with <paramref name="poolSize"/> server connections per database.</summary>
    public static async Task<PgBouncer> StartAsync(string host, int port, string poolMode, int poolSize, CancellationToken cancellationToken = default)
    {
        var binary = new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("PgBouncer is required by this test: install the pgbouncer package (./test.sh does).");
        var dir = Path.Combine(Path.GetTempPath(), "tollgate-pgbouncer-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var listen = PostgresServer.FreePort();
        await File.WriteAllTextAsync(Path.Combine(dir, "users.txt"), "\"postgres\" \"\"\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "pgbouncer.ini"), string.Create(CultureInfo.InvariantCulture, $"""
            [databases]
            * = host={host} port={port}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {listen}
            unix_socket_dir =
            auth_type = trust
            auth_file = {dir}/users.txt
            pool_mode = {poolMode}
            default_pool_size = {poolSize}
            max_client_conn = 500
            ignore_startup_parameters = extra_float_digits
            ; a client that waits this long for a server connection is refused (08P01), so a pool deadlock fails instead of hanging
            query_wait_timeout = 30
            admin_users = postgres
            """), cancellationToken);

        // PgBouncer refuses to run as root; -u makes it drop to the postgres user the postgresql package made.
        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        if (Environment.UserName == "root")
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("postgres");
        }

        start.ArgumentList.Add(Path.Combine(dir, "pgbouncer.ini"));
        var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var bouncer = new PgBouncer(process, dir, listen);
        for (var attempt = 0; ; attempt++)
        {
            if (process.HasExited || attempt == 100)
            {
                await bouncer.DisposeAsync();
                lock (log)
                {
                    throw new InvalidOperationException($"PgBouncer did not start listening on {listen}: {log}");
                }
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", listen, cancellationToken);
                return bouncer;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
