using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Tollgate.Testing;

namespace Tollgate.Pages.Tests;

/// <summary>
/// Stands in for Stripe's hosted pages (checkout.stripe.com, billing.stripe.com) on a loopback port, which the shared browser
/// resolves those hosts to (<see cref="BrowserArguments"/>). A Playwright route cannot stand in for them: Playwright passes a
/// redirect's target to the network unrouted, and the pages reach Stripe by a server's redirect. The full Chromium hid that by
/// reloading the failed page (then a navigation of its own, routed); the headless shell shows the error page.
/// </summary>
public sealed class StripeHostedPages : IAsyncDisposable
{
    private readonly WebApplication _server;

    private StripeHostedPages(WebApplication server, int port)
    {
        _server = server;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The browser's switches that send Stripe's hosts here, and accept this server's self-signed certificate.</summary>
    public IEnumerable<string> BrowserArguments =>
    [
        $"--host-resolver-rules=MAP checkout.stripe.com 127.0.0.1:{Port},MAP billing.stripe.com 127.0.0.1:{Port}",
        "--ignore-certificate-errors",
    ];

    public static async Task<StripeHostedPages> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning); // a stand-in, not under test
        using var certificate = SelfSignedCertificate.Create("CN=stripe.com stand-in", names =>
        {
            names.AddDnsName("checkout.stripe.com");
            names.AddDnsName("billing.stripe.com");
        });
        var loaded = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(loaded)));
        var server = builder.Build();
        // The browser must reach the page, not read it: each host answers with its name, as the routes it replaces did.
        server.Run(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync(context.Request.Host.Host == "billing.stripe.com" ? "<h1>Stripe billing</h1>" : "<h1>Stripe Checkout</h1>");
        });
        await server.StartAsync();
        var address = new Uri(server.Urls.First());
        return new StripeHostedPages(server, address.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }
}
