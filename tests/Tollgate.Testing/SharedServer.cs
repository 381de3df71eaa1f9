namespace Tollgate.Testing;

/// <summary>
/// Tollgate servers that the tests of a class share (xunit's class fixture), each started by the first test that asks
/// for it and stopped after the class's last test; a test's <c>await using var app = …</c> leaves it running. A class
/// shares one server among all its tests, or one per theory among that theory's cases (<paramref name="group"/> in
/// <see cref="StartAsync"/>): for tests that do not move the clock and write nothing another of them reads (refused
/// input, mostly), where a server's start is most of a test's CPU. The tests of a class run one after another, so they
/// never meet on a server.
/// </summary>
public sealed class SharedServer : Xunit.IAsyncLifetime, IAsyncDisposable
{
    // How far a ticking clock may read past its start plus the wall time since: its readings never repeat, so each one
    // adds at most a millisecond; a test's advance moves it minutes or more.
    private static readonly TimeSpan TickingSlack = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Held> _servers = new(StringComparer.Ordinal);

    private sealed record Held(TollgateApp App, string Shape, DateTimeOffset? StartedAt, long StartedTimestamp);

    /// <summary>
    /// The server of <paramref name="group"/> (the whole class when empty), started on the group's first call; every later
    /// call for the group must ask for the same store and settings.
    /// </summary>
    public async Task<TollgateApp> StartAsync(
        StoreKind store, IDictionary<string, string?>? settings = null, DateTimeOffset? start = null, string group = "")
    {
        var shape = Shape(store, settings, start);
        await _gate.WaitAsync();
        try
        {
            if (!_servers.TryGetValue(group, out var held))
            {
                var app = await TollgateApp.StartAsync(store, settings, start);
                app.SharedByClass = true;
                _servers[group] = new Held(app, shape, app.TestClock?.GetUtcNow(), System.Diagnostics.Stopwatch.GetTimestamp());
                return app;
            }

            if (shape != held.Shape)
            {
                throw new InvalidOperationException(
                    $"A shared server serves one store and one set of settings; it was started as {held.Shape} and a test asks for {shape}.");
            }

            // A test that moved the clock would leave every later test of the group at another instant than it expects. A
            // ticking clock has moved by the wall time since the start as well, which is not a test's doing.
            if (held.App.TestClock is { } clock && held.StartedAt is { } startedAt)
            {
                var now = clock.GetUtcNow();
                var moved = now - startedAt - (clock.Ticking ? System.Diagnostics.Stopwatch.GetElapsedTime(held.StartedTimestamp) : TimeSpan.Zero);
                if (moved > (clock.Ticking ? TickingSlack : TimeSpan.Zero))
                {
                    throw new InvalidOperationException(
                        $"A test moved the shared server's clock from {startedAt:O} to {now:O}; a test that moves the clock starts a server of its own.");
                }
            }

            return held.App;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var held in _servers.Values)
        {
            await held.App.StopAsync();
        }

        _servers.Clear();
        _gate.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private static string Shape(StoreKind store, IDictionary<string, string?>? settings, DateTimeOffset? start) =>
        $"{store} at {start?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "the default start"} with " +
        string.Join("; ", (settings ?? new Dictionary<string, string?>()).OrderBy(s => s.Key, StringComparer.OrdinalIgnoreCase)
            .Select(s => $"{s.Key}={s.Value}"));
}
