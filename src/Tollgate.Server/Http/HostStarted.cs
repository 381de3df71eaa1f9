namespace Tollgate.Server.Http;

/// <summary>
/// Background work waits until the host has started, its server listening: a process whose start fails (a port in
/// use, a setting refused after the services started) then exits having written no invoice and sent no webhook.
/// </summary>
public static class HostStarted
{
    /// <summary>Completes when the host has started; cancelled (throwing) when <paramref name="stoppingToken"/> stops it first.</summary>
    public static async Task WaitAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
    }
}
