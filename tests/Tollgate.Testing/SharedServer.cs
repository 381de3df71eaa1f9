namespace Tollgate.Testing;

/// <summary>
/// One Tollgate server for every test of a class (xunit's class fixture): started by the class's first test, stopped
/// after its last. A test's <c>await using var app = …</c> leaves it running for the next. For classes whose tests do
/// not move the clock and write nothing another of its tests reads (refused input, mostly): a server's start is most of
/// such a test's CPU. The tests of a class run one after another, so they never meet on the server.
/// </summary>
public sealed class SharedServer : Xunit.IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TollgateApp? _app;
    private string? _shape;
    private DateTimeOffset _startedAt;

    /// <summary>The class's server, started on the first call; every later call must ask for the same store and settings.</summary>
    public async Task<TollgateApp> StartAsync(StoreKind store, IDictionary<string, string?>? settings = null, DateTimeOffset? start = null)
    {
        var shape = Shape(store, settings, start);
        await _gate.WaitAsync();
        try
        {
            if (_app is null)
            {
                _app = await TollgateApp.StartAsync(store, settings, start);
                _app.SharedByClass = true;
                _shape = shape;
                _startedAt = _app.Clock.GetUtcNow();
                return _app;
            }

            if (shape != _shape)
            {
                throw new InvalidOperationException(
                    $"A shared server serves one store and one set of settings; it was started as {_shape} and a test asks for {shape}.");
            }

            // A test that moved the clock would leave every later test of the class at another instant than it expects.
            if (!_app.Clock.Ticking && _app.Clock.GetUtcNow() != _startedAt)
            {
                throw new InvalidOperationException(
                    $"A test of this class moved the shared server's clock from {_startedAt:O} to {_app.Clock.GetUtcNow():O}; " +
                    "a class whose tests move the clock starts a server per test.");
            }

            return _app;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
        }

        _gate.Dispose();
    }

    private static string Shape(StoreKind store, IDictionary<string, string?>? settings, DateTimeOffset? start) =>
        $"{store} at {start?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "the default start"} with " +
        string.Join("; ", (settings ?? new Dictionary<string, string?>()).OrderBy(s => s.Key, StringComparer.OrdinalIgnoreCase)
            .Select(s => $"{s.Key}={s.Value}"));
}
