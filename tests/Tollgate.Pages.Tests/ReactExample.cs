using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>
/// examples/react, built once per run with Vite, served by a stand-in for the app's backend: static files, GET /api/config
/// (where Tollgate is, who is signed in, the visitor id) and POST /api/session, which mints a customer session with a
/// secret key that never reaches the browser. Tollgate runs on its own port, so every call from the page is cross-origin
/// and goes through the CORS settings the example's origin is allowed by.
/// </summary>
public sealed class ReactExample : IAsyncDisposable
{
    private static readonly Lazy<Task> Build = new(BuildAsync);
    private readonly WebApplication _backend;
    private int _sessions;

    private ReactExample(TollgateApp tollgate, WebApplication backend, Uri address)
    {
        Tollgate = tollgate;
        _backend = backend;
        Address = address;
    }

    public TollgateApp Tollgate { get; }

    /// <summary>The example's own origin, such as http://127.0.0.1:40123/.</summary>
    public Uri Address { get; }

    /// <summary>How many sessions the backend has minted.</summary>
    public int SessionsMinted => Volatile.Read(ref _sessions);

    public static string Dist => Path.Combine(Json.RepoRoot(), "examples", "react", "dist");

    public static async Task<ReactExample> StartAsync()
    {
        await Build.Value;
        var port = FreePort();
        var origin = $"http://127.0.0.1:{port}";
        // The server's test clock starts at the browser's now, so both agree on when a session expires.
        var tollgate = await TollgateApp.StartAsync(StoreKind.Sqlite,
            new Dictionary<string, string?> { ["Tollgate:Cors:AllowedOrigins:0"] = origin }, DateTimeOffset.UtcNow, kestrel: true);
        var secret = (await (await tollgate.Admin.PostJsonAsync("/v1/admin/keys", new { name = "react example", role = "secret" })).ReadAsync())["key"]
            .Value<string>()!;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning); // the stand-in backend is not under test
        builder.WebHost.UseUrls(origin);
        var backend = builder.Build();
        var example = new ReactExample(tollgate, backend, new Uri(origin + "/"));
        var files = new PhysicalFileProvider(Dist);
        backend.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        backend.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        var tollgateUrl = tollgate.BaseAddress!.ToString().TrimEnd('/');
        backend.MapGet("/api/config", (string user, string? visitor) => Results.Json(new { tollgateUrl, user, visitorId = visitor ?? "visitor-" + user }));
        var minting = new HttpClient { BaseAddress = tollgate.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        minting.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        backend.MapPost("/api/session", async (string user) =>
        {
            Interlocked.Increment(ref example._sessions);
            using var minted = await minting.PostAsync(new Uri($"v1/customers/{Uri.EscapeDataString(user)}/sessions", UriKind.Relative),
                new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            return Results.Content(await minted.Content.ReadAsStringAsync(), "application/json", statusCode: (int)minted.StatusCode);
        });
        await backend.StartAsync();
        return example;
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.StopAsync();
        await _backend.DisposeAsync();
        await Tollgate.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>npm ci and vite build through examples/react/build.sh, bounded: a hang fails the run with the script's output.</summary>
    private static async Task BuildAsync()
    {
        var script = Path.Combine(Json.RepoRoot(), "examples", "react", "build.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"examples/react/build.sh took over 5 minutes:\n{await output}\n{await errors}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"examples/react/build.sh failed ({process.ExitCode}):\n{await output}\n{await errors}");
        }
    }
}
