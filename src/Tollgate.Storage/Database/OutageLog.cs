using Microsoft.Extensions.Logging;

namespace Tollgate.Storage.Database;

/// <summary>
/// A background loop's database outage in its log: one warning line when it starts, naming the causes without a stack
/// trace, and one when the database answers again. A failover made every loop log a full stack trace on every poll.
/// </summary>
public sealed class OutageLog(TollgateDatabase database, ILogger logger, string work)
{
    private bool _down;

    /// <summary>Whether <paramref name="exception"/> is an outage, logged as one (once); false leaves it to the caller.</summary>
    public bool Logged(Exception exception)
    {
        if (!database.IsOutage(exception))
        {
            return false;
        }

        if (!_down)
        {
            _down = true;
            logger.LogWarning("{Work} paused: the database is unavailable ({Error}); trying again until it answers", work, Causes(exception));
        }

        return true;
    }

    /// <summary>Called after a round that reached the database.</summary>
    public void Reached()
    {
        if (_down)
        {
            _down = false;
            logger.LogInformation("{Work} resumed: the database answers again", work);
        }
    }

    /// <summary>"Type: message; Type: message" down the chain of causes, the several of an aggregate included.</summary>
    public static string Causes(Exception exception) => string.Join("; ", Chain(exception).Select(e => $"{e.GetType().Name}: {e.Message}"));

    private static IEnumerable<Exception> Chain(Exception exception) =>
        exception is AggregateException several
            ? several.InnerExceptions.SelectMany(Chain)
            : exception.InnerException is { } inner ? [exception, .. Chain(inner)] : [exception];
}
