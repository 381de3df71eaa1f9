using System.Diagnostics;
using System.Globalization;

namespace Tollgate.Bench;

/// <summary>
/// A throwaway PostgreSQL cluster with fsync and synchronous commit ON (the tests' cluster turns both off), so that a
/// commit costs what it costs in production and group commit is measured against one flush per transaction.
/// </summary>
public sealed class DurableCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _asRoot = Environment.UserName == "root";

    private DurableCluster(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string Bin => _bin;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=100";

    public static async Task<DurableCluster> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "pgbench"))).OrderDescending().FirstOrDefault()
            ?? throw new InvalidOperationException("pgbench not found: install Debian's postgresql (or postgresql-contrib) package");
        var dir = Directory.CreateTempSubdirectory("tollgate-bench-pg-").FullName;
        var cluster = new DurableCluster(bin, dir, ChildProcess.FreePort());
        if (cluster._asRoot)
        {
            await RunAsync("chown", ["postgres", dir], null);
        }

        await cluster.RunPgAsync("initdb", ["-D", $"{dir}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]);
        var options = $"-p {cluster.Port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on " +
            "-c max_connections=300 -c shared_buffers=256MB";
        await cluster.RunPgAsync("pg_ctl", ["-D", $"{dir}/data", "-l", $"{dir}/log", "-o", options, "-w", "start"]);
        return cluster;
    }

    public Task CreateDatabaseAsync(string name) => RunPgAsync("createdb", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", name]);

    public Task<string> RunPgAsync(string tool, IEnumerable<string> args) => RunAsync(Path.Combine(_bin, tool), args, _asRoot ? "postgres" : null);

    /// <summary>The directory the cluster lives in, owned by the postgres user, for script files its tools read.</summary>
    public string DataDirectory => _dir;

    public async ValueTask DisposeAsync()
    {
        await RunPgAsync("pg_ctl", ["-D", $"{_dir}/data", "-m", "immediate", "stop"]);
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task<string> RunAsync(string file, IEnumerable<string> args, string? asUser)
    {
        var start = new ProcessStartInfo(asUser is null ? file : "runuser") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asUser is not null)
        {
            foreach (var a in new[] { "-u", asUser, "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await output}{await error}");
        }

        return await output + await error;
    }
}
