using System.Reflection;
using Microsoft.Extensions.Options;

namespace Tollgate.Server.Composition;

/// <summary>
/// Checks the bound settings before the host starts, so a bad one ends the process with one line naming it and exit
/// code 78, not with the host's stack trace and an abort (134) that a supervisor restarts every few seconds.
/// </summary>
public static class StartupSettings
{
    /// <summary>
    /// Whether this entry point runs as the process. WebApplicationFactory runs it too, and reads a failed start from
    /// the host's own exception: answering that exception here would hide the failure from the test.
    /// </summary>
    public static bool OwnsTheProcess => Assembly.GetEntryAssembly() == typeof(Program).Assembly;

    /// <summary>Runs the checks that the host's start would run, so their failure surfaces before any service starts.</summary>
    public static void Check(WebApplication app) => app.Services.GetService<IStartupValidator>()?.Validate();

    /// <summary>The settings' errors an exception carries, or null when it is not about the settings.</summary>
    public static IReadOnlyList<string>? Failures(Exception e)
    {
        // A rule broken is an OptionsValidationException (several in an AggregateException); a value of the wrong
        // type ("yes" for a number) is the binder's InvalidOperationException, whose message names the key.
        IEnumerable<Exception> all = e is AggregateException many ? many.InnerExceptions : [e];
        if (!all.All(inner => inner is OptionsValidationException
                || inner is InvalidOperationException { Source: "Microsoft.Extensions.Configuration.Binder" }))
        {
            return null;
        }

        var failures = all.SelectMany(inner => inner is OptionsValidationException rules ? rules.Failures : [inner.Message]);
        return [.. failures.Distinct(StringComparer.Ordinal)];
    }
}
