using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Tollgate.Testing;

/// <summary>Forwards TCP to PostgreSQL until stopped; then cuts every connection, like a database that went down.</summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();

    private TcpProxy()
    {
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TcpProxy Start(string host, int port)
    {
        var proxy = new TcpProxy();
        proxy._listener.Start();
        _ = proxy.AcceptAsync(host, port);
        return proxy;
    }

    public void Stop()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var client in _open)
        {
            try
            {
                if (client.Client is { Connected: true } socket)
                {
                    socket.LingerState = new LingerOption(true, 0); // a reset, as from a killed server
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                // Its pump closed it as the other side went first.
            }

            client.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            Stop();
        }

        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(string host, int port)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                var outbound = new TcpClient();
                await outbound.ConnectAsync(host, port, _stop.Token);
                _open.Add(inbound);
                _open.Add(outbound);
                _ = PumpAsync(inbound, outbound);
                _ = PumpAsync(outbound, inbound);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            to.Dispose();
        }
    }
}
