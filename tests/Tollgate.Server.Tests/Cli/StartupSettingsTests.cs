using Tollgate.Testing;

namespace Tollgate.Server.Tests.Cli;

/// <summary>
/// A bad setting ends the process with one line per mistake and exit code 78 (EX_CONFIG), which a systemd unit with
/// RestartPreventExitStatus=78 does not restart; a database that is not up yet is exit code 1, which it does.
/// </summary>
public sealed class StartupSettingsTests
{
    private static Task<CliResult> StartAsync(params (string Name, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["Tollgate__Database__ConnectionString"] = Path.Combine(Path.GetTempPath(), $"tollgate-settings-{Guid.NewGuid():N}.db"),
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        return CliProcess.RunAsync(environment, null, "--urls", "http://127.0.0.1:0");
    }

    private static void AssertOneLineEach(CliResult result, int exit, params string[] lines)
    {
        Assert.True(result.Exit == exit, $"exit {result.Exit}: {result.Out}{result.Err}");
        Assert.Equal(lines.Select(line => $"tollgate: {line}"), result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", result.Out + result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryBrokenRuleIsNamedOnItsOwnLineAndTheProcessExits78()
    {
        var result = await StartAsync(("Tollgate__Billing__GraceDays", "-1"), ("Tollgate__Email__MaxAttempts", "0"));

        AssertOneLineEach(result, 78, "Tollgate:Billing:GraceDays must be 0 or more", "Tollgate:Email:MaxAttempts must be at least 1");
    }

    [Fact]
    public async Task SettingsThatStartedAndFailedLaterOrCrashedAreNamedAtStartAndTheProcessExits78()
    {
        var result = await StartAsync(("Tollgate__Email__Smtp__Host", "localhost"), ("Tollgate__Email__Smtp__From", "not-an-address"),
            ("Tollgate__Email__TemplatesPath", "/nonexistent-dir"), ("Tollgate__Pages__CtaUrl", "ftp://x"),
            ("Tollgate__Observability__MetricsNetworks", "garbage"));

        AssertOneLineEach(result, 78,
            "Tollgate:Pages:CtaUrl must be an http(s) URL or a path starting with /",
            "Tollgate:Observability:MetricsNetworks must be networks in CIDR form, such as 10.0.0.0/8",
            "Tollgate:Email:Smtp:From must be an e-mail address, such as billing@example.com or \"Acme Billing <billing@example.com>\"",
            "Tollgate:Email:TemplatesPath must be a folder that exists");
    }

    [Fact]
    public async Task PostgresWithoutAConnectionStringIsNamedAndExits78InsteadOfAborting()
    {
        var result = await StartAsync(("Tollgate__Database__Provider", "postgres"), ("Tollgate__Database__ConnectionString", ""));

        AssertOneLineEach(result, 78, "Tollgate:Database:ConnectionString is required for postgres, such as Host=db;Database=tollgate;Username=tollgate");
    }

    [Fact]
    public async Task AValueOfTheWrongTypeIsNamedWithItsKeyAndTheProcessExits78()
    {
        var result = await StartAsync(("Tollgate__Webhooks__PollInterval", "soon"));

        AssertOneLineEach(result, 78, "Failed to convert configuration value 'soon' at 'Tollgate:Webhooks:PollInterval' to type 'System.TimeSpan'.");
    }

    [Fact]
    public async Task AConnectionStringNpgsqlCannotReadIsNamedAndTheProcessExits78()
    {
        var result = await StartAsync(("Tollgate__Database__Provider", "postgres"), ("Tollgate__Database__ConnectionString", "Hst=db1;Username=tollgate"));

        AssertOneLineEach(result, 78, "Tollgate:Database:ConnectionString is not a PostgreSQL connection string: Couldn't set hst (Parameter 'hst')");
    }

    [Fact]
    public async Task ADatabaseThatRefusesTheConnectionEndsTheStartWithExitCode1SoASupervisorRetries()
    {
        var result = await StartAsync(("Tollgate__Database__Provider", "postgres"), ("Tollgate__Database__ConnectionString", "Host=127.0.0.1;Port=1;Username=tollgate"));

        Assert.True(result.Exit == 1, $"exit {result.Exit}: {result.Out}{result.Err}");
        Assert.Contains("tollgate: the server could not start: NpgsqlException: Failed to connect to 127.0.0.1:1; SocketException: Connection refused", result.Err, StringComparison.Ordinal);
    }
}
