using System.Globalization;
using System.Text;

namespace Tollgate.Bench;

/// <summary>Cores kept busy by each group of processes over a steady-state window, and the cores left idle.</summary>
public sealed record CpuProfile(IReadOnlyDictionary<string, double> Cores, double Idle)
{
    /// <summary>One line: cores per group, then CPU milliseconds per item (request, or call of a batch) at <paramref name="perSecond"/>.</summary>
    public string Describe(double perSecond)
    {
        var line = new StringBuilder("cores busy: ");
        var ordered = Cores.OrderByDescending(c => c.Value).ToList();
        line.AppendJoin(", ", ordered.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:0.00}")));
        line.Append(CultureInfo.InvariantCulture, $", idle {Idle:0.00}; CPU per item: ");
        line.AppendJoin(", ", ordered.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value * 1000 / perSecond:0.000} ms")));
        line.Append(CultureInfo.InvariantCulture, $", all {Cores.Values.Sum() * 1000 / perSecond:0.000} ms");
        return line.ToString();
    }
}

/// <summary>
/// A process-level profile read from /proc: which process group (server, load generator, PostgreSQL, pgbench) spends
/// the machine's cores while a scenario runs. On a 2-core machine that also hosts the load generator and the database,
/// a throughput ratio is bounded by the CPU each request costs all of them together, and this says where it goes.
/// </summary>
public static class CpuSampler
{
    public static async Task<CpuProfile> SampleAsync(TimeSpan delay, TimeSpan window, IReadOnlySet<int> serverPids)
    {
        await Task.Delay(delay);
        var (total0, idle0, ticks0) = Snapshot(serverPids);
        await Task.Delay(window);
        var (total1, idle1, ticks1) = Snapshot(serverPids);
        // /proc/stat sums every core, so the wall-clock ticks of the window are its total over the core count.
        var elapsed = (double)(total1 - total0) / Environment.ProcessorCount;
        var cores = new Dictionary<string, double>();
        foreach (var (pid, (group, ticks)) in ticks1)
        {
            var before = ticks0.TryGetValue(pid, out var earlier) ? earlier.Ticks : 0;
            cores[group] = cores.GetValueOrDefault(group) + ((ticks - before) / elapsed);
        }

        return new CpuProfile(cores, (idle1 - idle0) / elapsed);
    }

    private static (long Total, long Idle, Dictionary<int, (string Group, long Ticks)> Processes) Snapshot(IReadOnlySet<int> serverPids)
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var processes = new Dictionary<int, (string, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                // After "pid (comm)": state is field 3, utime and stime fields 14 and 15.
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                processes[pid] = (Group(pid, comm, serverPids), ticks);
            }
            catch (IOException)
            {
                // The process ended between listing and reading.
            }
        }

        return (cpu.Sum(), cpu[3] + cpu[4], processes);
    }

    private static string Group(int pid, string comm, IReadOnlySet<int> serverPids) =>
        serverPids.Contains(pid) ? "tollgate"
        : pid == Environment.ProcessId ? "load generator"
        : comm is "postgres" or "pgbench" ? comm
        : "other";
}
