using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tollgate.Storage.Database;

namespace Tollgate.Storage.Tests.Contracts;

/// <summary>A background loop's outage is one line when it starts and one when it ends, with no stack trace on every poll.</summary>
public sealed class OutageLogTests
{
    private sealed class Lines : ILogger
    {
        public List<(LogLevel Level, string Text, Exception? Exception)> Written { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Written.Add((logLevel, formatter(state, exception), exception));
    }

    [Fact]
    public async Task AnOutageIsOneWarningWithItsCausesAndNoStackTraceThenOneLineWhenTheDatabaseAnswersAgain()
    {
        await using var database = new PostgresDatabase("Host=127.0.0.1;Port=1;Username=postgres"); // never opened
        var lines = new Lines();
        var log = new OutageLog(database, lines, "Webhook dispatch");
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));

        var polls = Enumerable.Range(0, 5).Select(_ => log.Logged(refused)).ToList();
        log.Reached();
        log.Reached();

        Assert.All(polls, Assert.True);
        Assert.Equal([
            (LogLevel.Warning, "Webhook dispatch paused: the database is unavailable (NpgsqlException: Failed to connect to 127.0.0.1:5432; "
                + $"SocketException: {new SocketException((int)SocketError.ConnectionRefused).Message}); trying again until it answers", null),
            (LogLevel.Information, "Webhook dispatch resumed: the database answers again", null)], lines.Written);
    }

    [Fact]
    public async Task AFailureThatIsNotAnOutageIsLeftToTheCallerAndNotLogged()
    {
        await using var database = new PostgresDatabase("Host=127.0.0.1;Port=1;Username=postgres");
        var lines = new Lines();

        Assert.False(new OutageLog(database, lines, "E-mail dispatch").Logged(new InvalidOperationException("a bug")));
        Assert.Empty(lines.Written);
    }
}
