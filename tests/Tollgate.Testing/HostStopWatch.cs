using System.Collections.Concurrent;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.Logging;

namespace Tollgate.Testing;

/// <summary>
/// Says why a test's server stopped when no test stopped it. The server's entry point disposes its host once the host is
/// asked to stop (a background service that fails stops it, by .NET's default), and a request after that fails only with
/// "Cannot access a disposed object". This keeps the server's last errors and the stack that asked it to stop, and a
/// request to the stopped server fails naming them.
/// </summary>
internal sealed class HostStopWatch : ILoggerProvider
{
    private const int KeptErrors = 10;
    private readonly ConcurrentQueue<string> _errors = new();
    private volatile string? _why;
    private volatile bool _stopping;

    /// <summary>Called by the test's own stop, after which a stop is expected.</summary>
    public void Expect() => _stopping = true;

    /// <summary>The host's ApplicationStopping callback.</summary>
    public void Stopped()
    {
        if (!_stopping)
        {
            _why = $"The test's server was asked to stop by:\n{Environment.StackTrace}\nIts last errors:\n{string.Join("\n", _errors)}";
        }
    }

    public DelegatingHandler[] Handlers() => [new RedirectHandler(), new CookieContainerHandler(), new Check(this)];

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Recorder(HostStopWatch owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            owner._errors.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            while (owner._errors.Count > KeptErrors && owner._errors.TryDequeue(out _))
            {
            }
        }
    }

    private sealed class Check(HostStopWatch owner) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (ObjectDisposedException e) when (owner._why is { } why)
            {
                throw new InvalidOperationException(why, e);
            }
        }
    }
}
