using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Tollgate.Testing;

/// <summary>
/// Two throwaway PostgreSQL clusters on loopback: a primary and a streaming standby that the primary waits for on every
/// commit (synchronous_standby_names), so a commit the primary acknowledged is on the standby too. A test kills the
/// primary's postmaster and promotes the standby, as Patroni or pg_auto_failover would. Disposing stops both and
/// deletes their files.
/// </summary>
public sealed class ReplicatedPostgres : IAsyncDisposable
{
    public const string StandbyName = "standby1";
    private readonly string _bin;
    private readonly string? _asUser;
    private readonly Cluster _primary;
    private readonly Cluster _standby;

    private ReplicatedPostgres(string bin, string? asUser, Cluster primary, Cluster standby) =>
        (_bin, _asUser, _primary, _standby) = (bin, asUser, primary, standby);

    public int PrimaryPort => _primary.Port;

    public int StandbyPort => _standby.Port;

    /// <summary>A connection string naming both clusters, that connects only to whichever is the primary.</summary>
    public string MultiHost(string database) =>
        $"Host=127.0.0.1:{PrimaryPort},127.0.0.1:{StandbyPort};Username=postgres;Database={database};Target Session Attributes=primary";

    /// <summary>A connection string to the standby alone (the primary once it is promoted).</summary>
    public string Standby(string database) => $"Host=127.0.0.1;Port={StandbyPort};Username=postgres;Database={database};Pooling=false";

    /// <summary>Starts the primary, clones the standby from it, and waits until the standby is synchronous; then creates <paramref name="database"/>.</summary>
    public static async Task<ReplicatedPostgres> StartAsync(string database, CancellationToken cancellationToken)
    {
        var found = PostgresServer.FindBin() ?? throw new InvalidOperationException("PostgreSQL is required: install the postgresql package (./test.sh does).");
        // initdb may be a link on PATH to the real folder, which alone holds pg_basebackup.
        var bin = new FileInfo(Path.Combine(found, "initdb")).ResolveLinkTarget(returnFinalTarget: true) is FileInfo real ? real.DirectoryName! : found;
        var asUser = Environment.UserName == "root" ? "postgres" : null; // initdb refuses to run as root
        var primary = Cluster.Create(asUser);
        var standby = Cluster.Create(asUser);
        var pair = new ReplicatedPostgres(bin, asUser, primary, standby);
        try
        {
            await pair.StartPairAsync(database, cancellationToken);
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    private async Task StartPairAsync(string database, CancellationToken cancellationToken)
    {
        await RunAsync("initdb", $"-D {_primary.Data} -U postgres --auth=trust -E UTF8 --no-locale");
        await StartAsync(_primary, "-c wal_level=replica -c max_wal_senders=5 -c synchronous_commit=on");
        await RunAsync("pg_basebackup", $"-D {_standby.Data} -h 127.0.0.1 -p {_primary.Port} -U postgres -X stream");
        // Appended to files the postgres user already owns, so they stay its own.
        await File.AppendAllTextAsync(Path.Combine(_standby.Data, "postgresql.auto.conf"),
            $"primary_conninfo = 'host=127.0.0.1 port={_primary.Port} user=postgres application_name={StandbyName}'\n", cancellationToken);
        File.Create(Path.Combine(_standby.Data, "standby.signal")).Dispose();
        await StartAsync(_standby, "-c hot_standby=on");

        await using var connection = new NpgsqlConnection(Direct(_primary.Port));
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"ALTER SYSTEM SET synchronous_standby_names = '{StandbyName}'", cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_reload_conf()", cancellationToken);
        while (await ScalarAsync(connection, $"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{StandbyName}' AND sync_state = 'sync'",
            cancellationToken) is not 1L)
        {
            await Task.Delay(100, cancellationToken);
        }

        // Committed only once the standby has it: the pair is synchronous from here on.
        await ExecuteAsync(connection, $"CREATE DATABASE {database}", cancellationToken);
    }

    /// <summary>kill -9 of the primary's postmaster: its backends notice and exit, and every connection to it breaks.</summary>
    public void KillPrimary()
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(_primary.Data, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        using var postmaster = Process.GetProcessById(pid);
        postmaster.Kill(); // SIGKILL on Linux
        _primary.Killed = true;
    }

    /// <summary>Stops the standby (fast shutdown): the primary's commits then wait for a standby that does not answer.</summary>
    public Task StopStandbyAsync() => RunAsync("pg_ctl", $"-D {_standby.Data} -m fast -w -t 30 stop");

    /// <summary>Promotes the standby and returns once it accepts writes.</summary>
    public Task PromoteStandbyAsync() => RunAsync("pg_ctl", $"-D {_standby.Data} -w -t 60 promote");

    private async Task StartAsync(Cluster cluster, string settings)
    {
        var options = $"-p {cluster.Port} -k {cluster.Dir} -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=32MB " +
            $"-c full_page_writes=off -c autovacuum=off {settings}";
        await RunAsync("pg_ctl", $"-D {cluster.Data} -l {cluster.Dir}/log -o \"{options}\" -w -t 60 start");
    }

    private Task RunAsync(string tool, string arguments) => PostgresServer.RunAsync(Path.Combine(_bin, tool), arguments, _asUser);

    private static string Direct(int port) => $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cluster in new[] { _standby, _primary })
        {
            await cluster.StopAsync(this);
        }
    }

    /// <summary>One cluster's folder (removed on dispose) and port.</summary>
    private sealed class Cluster
    {
        private Cluster(string dir, int port) => (Dir, Port) = (dir, port);

        public string Dir { get; }

        public string Data => Path.Combine(Dir, "data");

        public int Port { get; }

        public bool Killed { get; set; }

        public static Cluster Create(string? asUser)
        {
            // Named like PostgresServer's clusters, with the owner's pid: a run that was killed has them stopped by the next.
            var dir = Path.Combine(Path.GetTempPath(), "tollgate-pg-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            if (asUser is not null)
            {
                PostgresServer.RunAsync("chown", $"{asUser} {dir}", null).GetAwaiter().GetResult();
            }

            return new Cluster(dir, PostgresServer.FreePort());
        }

        public async Task StopAsync(ReplicatedPostgres owner)
        {
            if (File.Exists(Path.Combine(Data, "postmaster.pid")))
            {
                try
                {
                    await owner.RunAsync("pg_ctl", $"-D {Data} -m immediate -w -t 30 stop");
                }
                catch (InvalidOperationException) when (Killed)
                {
                    // Its postmaster is gone already; its backends exit by themselves when they see that.
                }
            }

            try
            {
                Directory.Delete(Dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A backend of the killed primary still writing as it exits; the next run's orphan sweep takes the folder.
            }
        }
    }
}
