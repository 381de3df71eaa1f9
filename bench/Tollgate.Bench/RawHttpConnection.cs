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
        var headerEnd = await ReadUntilAsync(HeaderEnd);
        var (status, length, chunked) = ParseHead(_buffer.AsSpan(_start, headerEnd - _start));
        _start = headerEnd + 4;
        if (length is { } bytes)
        {
            await SkipAsync(bytes);
        }
        else if (chunked)
        {
            while (true)
            {
                var lineEnd = await ReadUntilAsync(LineEnd);
                // The hex size stops at a chunk extension (';') or the line's end.
                System.Buffers.Text.Utf8Parser.TryParse(_buffer.AsSpan(_start, lineEnd - _start), out int size, out _, 'x');
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

    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();

    /// <summary>
    /// The status, Content-Length and whether the body is chunked, read in place: the generator shares the machine's
    /// cores with the server, so it allocates nothing per response, and a longer header block costs it next to nothing.
    /// </summary>
    private static (int Status, int? Length, bool Chunked) ParseHead(ReadOnlySpan<byte> head)
    {
        System.Buffers.Text.Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _);
        int? length = null;
        var chunked = false;
        var rest = head;
        while (rest.Length > 0)
        {
            var end = rest.IndexOf(LineEnd);
            var line = end < 0 ? rest : rest[..end];
            var colon = line.IndexOf((byte)':');
            if (colon > 0)
            {
                var name = line[..colon].Trim((byte)' ');
                var value = line[(colon + 1)..].Trim((byte)' ');
                if (System.Text.Ascii.EqualsIgnoreCase(name, "content-length"u8) && System.Buffers.Text.Utf8Parser.TryParse(value, out int parsed, out _))
                {
                    length = parsed;
                }
                else if (System.Text.Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
                {
                    // chunked is always the last coding listed (RFC 9112 6.1).
                    chunked = value.Length >= 7 && System.Text.Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8);
                }
            }

            rest = end < 0 ? default : rest[(end + 2)..];
        }

        return (status, length, chunked);
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
