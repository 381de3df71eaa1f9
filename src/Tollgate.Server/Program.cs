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
    if (StartupSettings.OwnsTheProcess)
    {
        StartupSettings.Check(app);
    }

    try
    {
        // Not RunAsync: it disposes a host that failed to start before the failure surfaces, so a test host
        // (WebApplicationFactory) waiting on it reads disposed services and reports ObjectDisposedException instead.
        await app.StartAsync();
    }
    catch (Exception e) when (StartupSettings.OwnsTheProcess && StartupSettings.Failures(e) is null)
    {
        // The host has logged the stack trace; an exit code of 1 (not an abort's 134) lets a supervisor retry a
        // database that is not up yet.
        await Console.Error.WriteLineAsync($"tollgate: the server could not start: {Tollgate.Storage.Database.OutageLog.Causes(e)}");
        return 1;
    }

    await app.WaitForShutdownAsync();
    await app.DisposeAsync();
    return 0;
}
catch (StartupException e)
{
    await Console.Error.WriteLineAsync($"tollgate: {e.Message}");
    return StartupException.ExitCode;
}
catch (Exception e) when (StartupSettings.OwnsTheProcess && StartupSettings.Failures(e) is { } failures)
{
    foreach (var failure in failures)
    {
        await Console.Error.WriteLineAsync($"tollgate: {failure}");
    }

    return StartupException.ExitCode;
}

/// <summary>The server's entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
