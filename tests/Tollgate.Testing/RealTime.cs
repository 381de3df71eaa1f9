using System.Diagnostics;

namespace Tollgate.Testing;

/// <summary>
/// Waits in real time for what a server does in the background: a webhook sent, an e-mail settled, an attempt recorded.
/// The limit is for a loaded machine, not an idle one: CI's two cores run three test streams at once, so what takes
/// 100 ms idle can take many seconds there. A wait that runs out throws, naming what it waited for.
/// </summary>
public static class RealTime
{
    /// <summary>How long a test waits for background work before it fails.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Reads until <paramref name="done"/> holds for what was read, and answers that; after <paramref name="limit"/>
    /// (<see cref="Limit"/> unless given) throws a <see cref="TimeoutException"/> with <paramref name="what"/> of the last read.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, Func<T, string> what, TimeSpan? limit = null)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (waited.Elapsed > (limit ?? Limit))
            {
                throw new TimeoutException($"After {waited.Elapsed.TotalSeconds:0} s: {what(value)}");
            }

            await Task.Delay(Poll);
        }
    }

    /// <summary>Reads until <paramref name="done"/> holds or <see cref="Limit"/> passes, and answers the last read either way.</summary>
    public static async Task<T> LastAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var waited = Stopwatch.StartNew();
        var value = await read();
        while (!done(value) && waited.Elapsed < Limit)
        {
            await Task.Delay(Poll);
            value = await read();
        }

        return value;
    }

    /// <summary>
    /// Waits for a process to exit, at most <paramref name="limit"/>; past it the process tree is killed and a
    /// <see cref="TimeoutException"/> names <paramref name="what"/> with what it printed so far.
    /// </summary>
    public static async Task ExitAsync(Process process, TimeSpan limit, string what, Func<string>? printed = null)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} did not end within {limit.TotalSeconds:0} s{(printed is null ? "" : ":\n" + printed())}");
        }
    }
}
