using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Tollgate.Testing;

/// <summary>
/// The PostgreSQL the tests run against: TOLLGATE_TEST_POSTGRES when set, or else a throwaway cluster started from the
/// machine's initdb and pg_ctl for this test process. A missing PostgreSQL fails the tests; it never skips them.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<string>> Admin = new(StartAsync);

    /// <summary>A connection string with rights to create databases.</summary>
    public static Task<string> AdminConnectionStringAsync() => Admin.Value;

    private static async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("TOLLGATE_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL is required by these tests: set TOLLGATE_TEST_POSTGRES, or install the postgresql package so initdb and pg_ctl exist " +
            "(./test.sh installs it).");
        await StopOrphansAsync(bin);
        var dir = Path.Combine(Path.GetTempPath(), "tollgate-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "owner.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var port = FreePort();
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb refuses to run as root; the postgresql package's postgres user owns the cluster instead.
            await RunAsync("chown", $"postgres {dir}", null);
        }

        await RunAsync(Path.Combine(bin, "initdb"), $"-D {dir}/data -U postgres --auth=trust -E UTF8 --no-locale", asRoot ? "postgres" : null);
        var options = $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
            "-c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB";
        await RunAsync(Path.Combine(bin, "pg_ctl"), $"-D {dir}/data -l {dir}/log -o \"{options}\" -w start", asRoot ? "postgres" : null);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            RunAsync(Path.Combine(bin, "pg_ctl"), $"-D {dir}/data -m immediate stop", asRoot ? "postgres" : null).GetAwaiter().GetResult();
            Directory.Delete(dir, recursive: true);
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    // A test host that is killed never runs ProcessExit, so its cluster outlives it; the next run stops such orphans.
    public static async Task StopOrphansAsync(string bin)
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "tollgate-pg-*"))
        {
            var owner = Path.Combine(dir, "owner.pid");
            if (!File.Exists(owner) || !int.TryParse(await File.ReadAllTextAsync(owner), out var pid) || IsAlive(pid))
            {
                continue;
            }

            try
            {
                if (File.Exists(Path.Combine(dir, "data", "postmaster.pid")))
                {
                    await RunAsync(Path.Combine(bin, "pg_ctl"), $"-D {dir}/data -m immediate stop", Environment.UserName == "root" ? "postgres" : null);
                }

                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // Another run got there first, or it is not ours to stop: leave it.
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The folder of the machine's initdb and pg_ctl, or null when PostgreSQL is not installed.</summary>
    public static string? FindBin()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(p => File.Exists(Path.Combine(p, "initdb")) && File.Exists(Path.Combine(p, "pg_ctl")));
        if (onPath is not null)
        {
            return onPath;
        }

        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a PostgreSQL tool (as <paramref name="asUser"/> when given) and fails with its output when it fails.</summary>
    public static async Task RunAsync(string file, string arguments, string? asUser)
    {
        var start = asUser is null
            ? new ProcessStartInfo(file, arguments)
            : new ProcessStartInfo("runuser", $"-u {asUser} -- {file} {arguments}");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await RealTime.ExitAsync(process, TimeSpan.FromMinutes(3), $"{file} {arguments}");
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    /// <summary>
    /// One number from the database behind <paramref name="connectionString"/>, on a connection of its own: usable after
    /// the servers on that database stopped (a count they left, a statistic their backends reported as they exited).
    /// </summary>
    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Creates an empty database and returns a pooled connection string for it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await AdminConnectionStringAsync();
        var name = "tg_" + Guid.NewGuid().ToString("N")[..12];
        await CreateDatabaseAsync(admin, name, template: null);
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 50 };
        return builder.ConnectionString;
    }

    /// <summary>
    /// CREATE DATABASE, as a copy of <paramref name="template"/> (template1 when null). From PostgreSQL 15 on it copies the
    /// files (STRATEGY FILE_COPY) rather than the default WAL_LOG, which writes every page of the template through the
    /// WAL: with a database per test that was most of the cluster's CPU.
    /// </summary>
    public static async Task CreateDatabaseAsync(string adminConnectionString, string name, string? template)
    {
        // From a pool: a new backend per database (a fork, about 45 ms of the server's CPU on a small VM) cost more than the
        // CREATE DATABASE it ran. The pooled backends are on the admin database, never on a template, so none blocks a copy.
        var pooled = new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = true }.ConnectionString;
        await using var connection = new NpgsqlConnection(pooled);
        await connection.OpenAsync();
        var strategy = connection.PostgreSqlVersion.Major >= 15 ? " STRATEGY FILE_COPY" : "";
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {template ?? "template1"}{strategy}", connection);
        await command.ExecuteNonQueryAsync();
    }
}
