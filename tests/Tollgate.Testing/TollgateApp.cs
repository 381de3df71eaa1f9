using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tollgate.Core.Time;

namespace Tollgate.Testing;

/// <summary>
/// A Tollgate server on its own fresh database with a manual clock, driven through WebApplicationFactory.
/// Every test gets its own, so tests never share state.
/// </summary>
public sealed class TollgateApp : IAsyncDisposable
{
    public const string AdminKey = "tg_test_admin_key_for_tests_only";

    /// <summary>How much further a ticking clock is moved at each advance to an instant.</summary>
    public static readonly TimeSpan TickingSlack = TimeSpan.FromMinutes(1);

    /// <summary>How coarsely a ticking clock's instants are compared: the slack of up to 59 advances.</summary>
    private static readonly TimeSpan TickingGrain = TimeSpan.FromHours(1);

    private int _tickingAdvances;
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly object StartsLock = new();

    private readonly Factory _factory;
    private readonly ManualClock? _clock;
    private ReusedDatabases.Lease? _lease;

    private TollgateApp(Factory factory, ManualClock? clock, StoreKind store, string connectionString)
    {
        _factory = factory;
        _clock = clock;
        Store = store;
        ConnectionString = connectionString;
        Anonymous = NewClient();
        Admin = WithKey(AdminKey);
    }

    /// <summary>The server's test clock; absent only when a test turns Tollgate:TestClock:Enabled off in its settings.</summary>
    public ManualClock Clock => _clock ?? throw new InvalidOperationException("This app was started with the test clock off.");

    /// <summary>The test clock, or null when a test turned it off.</summary>
    internal ManualClock? TestClock => _clock;

    public StoreKind Store { get; }

    /// <summary>
    /// An instant the server answered, as the test expects it: exact on a frozen clock; on a ticking one, cut to the hour,
    /// because what it measures from (a sign-up, a trial start) happened some ticking seconds and slack minutes after the
    /// test's instant.
    /// </summary>
    public string? Instant(System.Text.Json.Nodes.JsonNode? node)
    {
        var text = node is null ? null : node.GetValue<string>();
        if (text is null || _clock is not { Ticking: true })
        {
            return text;
        }

        var at = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();
        at = new DateTimeOffset(at.Ticks - (at.Ticks % TickingGrain.Ticks), TimeSpan.Zero);
        return at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string ConnectionString { get; }

    public HttpClient Anonymous { get; }

    public HttpClient Admin { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>The real HTTP address when started with Kestrel.</summary>
    public Uri? BaseAddress { get; private set; }

    public static async Task<TollgateApp> StartAsync(
        StoreKind store, IDictionary<string, string?>? settings = null, DateTimeOffset? start = null, string? connectionString = null,
        bool kestrel = false)
    {
        CountStart();
        var all = new Dictionary<string, string?>
        {
            ["TOLLGATE_ADMIN_KEY"] = AdminKey,
            ["Tollgate:TestClock:Enabled"] = "true",
            ["Tollgate:TestClock:Start"] = (start ?? DefaultStart).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        // The database comes with the time partitions the server makes at its start already made.
        var clockStart = ClockStart(all);
        // A PostgreSQL server gets a database another test's server handed back, unless the test names the database or
        // shapes its connections.
        var lease = store == StoreKind.Postgres && connectionString is null && !all.Keys.Any(ShapesTheDatabase)
            ? await TestDatabases.LendForServerAsync(clockStart)
            : null;
        var options = connectionString is not null
            ? new Storage.Database.DatabaseOptions { Provider = store == StoreKind.Sqlite ? "sqlite" : "postgres", ConnectionString = connectionString }
            : lease is not null ? new Storage.Database.DatabaseOptions { Provider = "postgres", ConnectionString = lease.ConnectionString }
            : await TestDatabases.CreateForServerAsync(store, clockStart);
        // A test's own settings still win, as they did when these were set first.
        all.TryAdd("Tollgate:Database:Provider", options.Provider);
        all.TryAdd("Tollgate:Database:ConnectionString", options.ConnectionString);

        var factory = new Factory(all, lease?.DataSource);
        try
        {
            Uri? address = null;
            if (kestrel)
            {
                // Not UseKestrel(0): that overload rewrites the server's addresses after the host is built, racing Kestrel's own
                // start, and lost about one run in two ("Addresses cannot be modified after the server has started",
                // dotnet/aspnetcore#67714). A listen option binds a free loopback port with nothing to rewrite.
                factory.UseKestrel(kestrelOptions => kestrelOptions.Listen(System.Net.IPAddress.Loopback, 0));
                factory.StartServer();
                var addresses = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                    .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
                address = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
            }

            var clock = factory.Services.GetRequiredService<TimeProvider>() as ManualClock;
            factory.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.Register(factory.Watch.Stopped);
            var app = new TollgateApp(factory, clock, store, options.ConnectionString!) { BaseAddress = address, _lease = lease };
            await app.Anonymous.GetAsync(new Uri("/healthz", UriKind.Relative)); // starts the host: the startup tasks (migrations, seed) run here
            return app;
        }
        catch when (lease is not null)
        {
            // A server that failed to start leaves its database as it may be: it is not lent again.
            await lease.DataSource.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// With TOLLGATE_TEST_STARTS naming a file, each start appends the test class that asked for it: how a suite's host
    /// starts, its largest cost, are counted by class.
    /// </summary>
    private static void CountStart()
    {
        if (Environment.GetEnvironmentVariable("TOLLGATE_TEST_STARTS") is not { Length: > 0 } path)
        {
            return;
        }

        var caller = new System.Diagnostics.StackTrace().GetFrames()
            .Select(f => f.GetMethod()?.DeclaringType)
            .Select(t => t?.DeclaringType is { } outer && t.Name.Contains('<', StringComparison.Ordinal) ? outer : t)
            .FirstOrDefault(t => t?.Assembly != typeof(TollgateApp).Assembly && t?.Namespace?.StartsWith("Tollgate.", StringComparison.Ordinal) == true
                && t.Name != "ApiContract");
        lock (StartsLock)
        {
            File.AppendAllText(path, (caller?.FullName ?? "?") + Environment.NewLine);
        }
    }

    public HttpClient WithKey(string key)
    {
        var client = NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public T Get<T>() where T : notnull => _factory.Services.GetRequiredService<T>();

    /// <summary>A client that behaves like a browser for the pages: it keeps cookies, follows redirects and sends no API key.</summary>
    public HttpClient NewBrowser() => NewClient();

    // As the factory's CreateClient() makes one (it follows redirects and keeps cookies), with a check that names why a
    // server stopped when no test stopped it.
    private HttpClient NewClient() => _factory.CreateDefaultClient(_factory.Watch.Handlers());

    /// <summary>Set on a server that <see cref="SharedServer"/> holds for a whole test class: a test's dispose leaves it running.</summary>
    internal bool SharedByClass { get; set; }

    /// <summary>Stops the server, unless a <see cref="SharedServer"/> holds it for the rest of its class.</summary>
    public ValueTask DisposeAsync() => SharedByClass ? ValueTask.CompletedTask : StopAsync();

    internal async ValueTask StopAsync()
    {
        try
        {
            _factory.Watch.Expect();
            await _factory.DisposeAsync();
        }
        finally
        {
            if (_lease is not null)
            {
                await ReusedDatabases.ReturnAsync(_lease);
            }
        }
    }

    // Configuration keys are case-insensitive.
    private static readonly HashSet<string> DatabaseShapingKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "Tollgate:Database:Provider", "Tollgate:Database:ConnectionString", "Tollgate:Database:PreparedStatements",
    };

    private static bool ShapesTheDatabase(string key) => DatabaseShapingKeys.Contains(key);

    /// <summary>
    /// Moves the server's test clock through its API, running whatever falls due on the way. The API takes whole seconds,
    /// so a part of one rounds up: a span measured to an instant on a ticking clock reaches it, where cut short it stopped
    /// a fraction of a second before.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var response = await Admin.PostJsonAsync("/v1/admin/clock/advance", new { seconds = (long)Math.Ceiling(by.TotalSeconds) });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Moves the clock to <paramref name="to"/>. On a ticking clock it goes a minute further each time: a subscription
    /// made some ticking seconds after the instant the test had in mind (itself reached with slack) renews that much later.
    /// </summary>
    public async Task AdvanceToAsync(DateTimeOffset to)
    {
        if (_clock is { Ticking: true })
        {
            _tickingAdvances++;
            to += TickingSlack * _tickingAdvances;
        }

        var response = await Admin.PostJsonAsync("/v1/admin/clock/advance", new { to = to.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Where the clock of a server with <paramref name="settings"/> (and no <c>Start</c> of its own) starts: its test
    /// clock's start, or now when it runs on the real clock.
    /// </summary>
    internal static DateTimeOffset ClockStart(IDictionary<string, string?> settings, DateTimeOffset? start = null)
    {
        var now = TimeProvider.System.GetUtcNow();
        var enabled = settings.TryGetValue("Tollgate:TestClock:Enabled", out var value) ? value : "true";
        if (!string.Equals(enabled, "true", StringComparison.OrdinalIgnoreCase))
        {
            return now;
        }

        if (!settings.TryGetValue("Tollgate:TestClock:Start", out var written))
        {
            return start ?? DefaultStart;
        }

        return DateTimeOffset.TryParse(written, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var parsed) ? parsed : now;
    }

    private sealed class Factory(IDictionary<string, string?> settings, Npgsql.NpgsqlDataSource? lent) : WebApplicationFactory<Program>
    {
        public HostStopWatch Watch { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(Watch));
            // The environment the server runs in when started as the README says (no launch profile): Production, not
            // the factory's Development, which adds the developer exception page and validates every service at each of a
            // thousand starts (HostContract checks that validation once). A test's "environment" setting still wins.
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            if (lent is not null)
            {
                // The lent database's connections, still open from the test before: the server borrows them, not closes them.
                builder.ConfigureTestServices(services =>
                    services.AddSingleton<Storage.Database.TollgateDatabase>(_ => new Storage.Database.PostgresDatabase(lent, ownsDataSource: false)));
            }
        }
    }
}
