using System.Text;

namespace Tollgate.Client.Llm;

/// <summary>Passes a server-sent event stream through unchanged while handing each "data:" line to an observer; reports the end once.</summary>
internal sealed class ServerSentEventsObserver(Stream inner, Action<string> onData, Action onEnd) : Stream
{
    private readonly MemoryStream _line = new();
    private bool _ended;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Observe(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Observe(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Observe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            End();
            return 0;
        }

        foreach (var b in bytes)
        {
            if (b == (byte)'\n')
            {
                var line = Encoding.UTF8.GetString(_line.GetBuffer(), 0, (int)_line.Length).TrimEnd('\r');
                _line.SetLength(0);
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    Notify(line[5..].Trim());
                }
            }
            else if (_line.Length < 1 << 20)
            {
                _line.WriteByte(b);
            }
        }

        return bytes.Length;
    }

    private void Notify(string data)
    {
        try
        {
            onData(data);
        }
        catch (Exception)
        {
            // An event the reader cannot follow must not break the app's stream.
        }
    }

    private void End()
    {
        if (!_ended)
        {
            _ended = true;
            onEnd();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            End(); // an app that stops reading early still logs what the stream said so far
            inner.Dispose();
            _line.Dispose();
        }

        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
