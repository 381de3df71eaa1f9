using Tollgate.Server.Cli;
using Tollgate.Server.Catalog;
using Tollgate.Server.Composition;

// "serve" is the default verb; migrate, catalog and keys run and exit.
if (CliVerbs.IsVerb(args))
{
    return await CliVerbs.RunAsync(args);
}

try
{
    var app = TollgateHost.Build(args is ["serve", .. var rest] ? rest : args);
    // Not RunAsync: it disposes a host that failed to start before the failure surfaces, so a test host
    // (WebApplicationFactory) waiting on it reads disposed services and reports ObjectDisposedException instead.
    await app.StartAsync();
    await app.WaitForShutdownAsync();
    await app.DisposeAsync();
    return 0;
}
catch (StartupException e)
{
    await Console.Error.WriteLineAsync($"tollgate: {e.Message}");
    return 1;
}

/// <summary>The server's entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
