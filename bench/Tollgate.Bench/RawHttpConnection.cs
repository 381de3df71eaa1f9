using System.Net.Sockets;
using System.Text;

namespace Tollgate.Bench;

/// <summary>
/// A minimal HTTP/1.1 keep-alive client: prebuilt request bytes out, status and body (Content-Length or chunked) in.
/// HttpClient spends more CPU per request than a small server does, and on a two-core machine that CPU is taken
/// from the server under test; this spends little, like wrk.
/// </summary>
public sealed class RawHttpConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket) => _socket = socket;

    public static async Task<RawHttpConnection> ConnectAsync(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(address.Host, address.Port);
        return new RawHttpConnection(socket);
    }

    public static byte[] Request(Uri address, string method, string path, string? bearer, string? jsonBody)
    {
        var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
        var head = new StringBuilder()
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"{method} /{path} HTTP/1.1\r\nHost: {address.Host}:{address.Port}\r\n");
        if (bearer is not null)
        {
            head.Append(System.Globalization.CultureInfo.InvariantCulture, $"Authorization: Bearer {bearer}\r\n");
        }

        if (jsonBody is not null)
        {
            head.Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    /// <summary>Sends one request and reads its whole response; answers the status code.</summary>
    public async Task<int> SendAsync(byte[] request)
    {
        await _socket.SendAsync(request, SocketFlags.None);
        var headerEnd = await ReadUntilAsync("\r\n\r\n"u8.ToArray());
        var headers = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
        _start = headerEnd + 4;
        var status = int.Parse(headers.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        var length = Header(headers, "content-length");
        if (length is not null)
        {
            await SkipAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (Header(headers, "transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            while (true)
            {
                var lineEnd = await ReadUntilAsync("\r\n"u8.ToArray());
                var size = Convert.ToInt32(Encoding.ASCII.GetString(_buffer, _start, lineEnd - _start).Split(';')[0], 16);
                _start = lineEnd + 2;
                await SkipAsync(size + 2);
                if (size == 0)
                {
                    break;
                }
            }
        }

        return status;
    }

    private static string? Header(string headers, string name)
    {
        foreach (var line in headers.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    private async Task<int> ReadUntilAsync(byte[] marker)
    {
        while (true)
        {
            var found = _buffer.AsSpan(_start, _end - _start).IndexOf(marker);
            if (found >= 0)
            {
                return _start + found;
            }

            await FillAsync();
        }
    }

    private async Task SkipAsync(int count)
    {
        while (_end - _start < count)
        {
            count -= _end - _start;
            _start = _end;
            await FillAsync();
        }

        _start += count;
    }

    private async Task FillAsync()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("connection closed");
        }

        _end += read;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
