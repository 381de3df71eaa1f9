using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Tollgate.Testing;

/// <summary>
/// A real SMTP server on a free loopback port: Python's aiosmtpd (Debian's python3-aiosmtpd, which test.sh installs),
/// run from smtp_server.py. It records every accepted message with its MIME parts decoded, and refuses on request.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3"; // Debian's interpreter, the one its python3-aiosmtpd belongs to
    private readonly Process _process;
    private readonly DirectoryInfo? _certificates;
    private readonly SemaphoreSlim _acknowledged = new(0);

    private SmtpTestServer(Process process, int port, DirectoryInfo? certificates, string? certificateSha256) =>
        (_process, Port, _certificates, CertificateSha256) = (process, port, certificates, certificateSha256);

    /// <summary>How the server speaks TLS: not at all, after STARTTLS (which it then requires), or from the first byte.</summary>
    public enum Tls
    {
        None,
        StartTls,
        Implicit,
    }

    public int Port { get; }

    /// <summary>The SHA-256 thumbprint of the self-signed certificate a TLS server presents (no machine trusts it).</summary>
    public string? CertificateSha256 { get; }

    public ConcurrentQueue<ReceivedMail> Messages { get; } = new();

    public sealed record ReceivedMail(
        string MailFrom, IReadOnlyList<string> RcptTos, string From, string To, string Subject, string MessageId, string ContentType,
        IReadOnlyList<MailPart> Parts, string? Login = null, bool OverTls = false, string Raw = "")
    {
        public string Body(string contentType) => Parts.Single(p => p.ContentType == contentType).Body;
    }

    /// <summary>One MIME part: a text part's text, or an attachment's bytes in base64 with its file name.</summary>
    public sealed record MailPart(string ContentType, string? Charset, string Body, string? FileName = null)
    {
        public byte[] Bytes() => Convert.FromBase64String(Body);
    }

    /// <summary>Settings that point Tollgate at this server, polling often.</summary>
    public Dictionary<string, string?> Settings(string from = "Tollgate <billing@tollgate.test>") => new()
    {
        ["Tollgate:Email:Smtp:Host"] = "127.0.0.1",
        ["Tollgate:Email:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Tollgate:Email:Smtp:UseStartTls"] = "false",
        ["Tollgate:Email:Smtp:From"] = from,
        ["Tollgate:Email:PollInterval"] = "00:00:00.050",
    };

    /// <summary>
    /// Starts the server; with <paramref name="login"/> and <paramref name="password"/> it requires AUTH (PLAIN or LOGIN) with
    /// them, and with <paramref name="tls"/> it presents a fresh self-signed certificate.
    /// </summary>
    public static async Task<SmtpTestServer> StartAsync(string? login = null, string? password = null, Tls tls = Tls.None)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "smtp_server.py");
        List<string> arguments = ["-u", script];
        if (login is not null)
        {
            arguments.AddRange(["--auth", $"{login}:{password}"]);
        }

        var certificates = tls == Tls.None ? null : Directory.CreateTempSubdirectory("tollgate-smtp-tls-");
        string? thumbprint = null;
        if (certificates is not null)
        {
            thumbprint = WriteCertificate(certificates, out var cert, out var key);
            arguments.AddRange(["--tls", tls == Tls.Implicit ? "implicit" : "starttls", cert, key]);
        }

        var process = Process.Start(new ProcessStartInfo(Python, arguments)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException("python3 did not start");
        var ready = await process.StandardOutput.ReadLineAsync();
        if (ready is null || !ready.StartsWith("READY ", StringComparison.Ordinal))
        {
            var error = await process.StandardError.ReadToEndAsync();
            throw new InvalidOperationException($"the SMTP test server did not start (is python3-aiosmtpd installed? test.sh installs it): {ready} {error}");
        }

        var server = new SmtpTestServer(process, int.Parse(ready["READY ".Length..], System.Globalization.CultureInfo.InvariantCulture),
            certificates, thumbprint);
        _ = Task.Run(server.ReadAsync);
        return server;
    }

    /// <summary>Refuses the next <paramref name="count"/> messages (every one, when null) at DATA with <paramref name="code"/>.</summary>
    public async Task RefuseAsync(int code, int? count = null)
    {
        await _process.StandardInput.WriteLineAsync($"refuse {code} {(count is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "*")}");
        await _process.StandardInput.FlushAsync();
        // The server applies commands on a thread of its own; a message sent before it did would meet the old rule.
        if (!await _acknowledged.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"the SMTP test server did not acknowledge 'refuse {code}' within 30 s");
        }
    }

    public Task AcceptAsync() => RefuseAsync(250, 0);

    /// <summary>Waits (real time) until at least <paramref name="count"/> messages arrived.</summary>
    public Task<IReadOnlyList<ReceivedMail>> WaitForAsync(int count) =>
        RealTime.UntilAsync(() => Task.FromResult<IReadOnlyList<ReceivedMail>>([.. Messages]), m => m.Count >= count,
            m => $"{m.Count} of {count} e-mails arrived at the SMTP test server");

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _acknowledged.Dispose();
        _certificates?.Delete(recursive: true);
    }

    /// <summary>A self-signed certificate for 127.0.0.1, as PEM files the Python server loads; returns its SHA-256 thumbprint.</summary>
    private static string WriteCertificate(DirectoryInfo folder, out string certPath, out string keyPath)
    {
        using var certificate = SelfSignedCertificate.Create("CN=tollgate-test-smtp", names => names.AddIpAddress(System.Net.IPAddress.Loopback));
        using var key = certificate.GetECDsaPrivateKey()!;
        (certPath, keyPath) = (Path.Combine(folder.FullName, "cert.pem"), Path.Combine(folder.FullName, "key.pem"));
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            var r = json.RootElement;
            if (r.TryGetProperty("ack", out _))
            {
                _acknowledged.Release();
                continue;
            }

            Messages.Enqueue(new ReceivedMail(r.GetProperty("mail_from").GetString()!, [.. r.GetProperty("rcpt_tos").EnumerateArray().Select(e => e.GetString()!)],
                r.GetProperty("from").GetString()!, r.GetProperty("to").GetString()!, r.GetProperty("subject").GetString()!,
                r.GetProperty("message_id").GetString()!, r.GetProperty("content_type").GetString()!,
                [.. r.GetProperty("parts").EnumerateArray().Select(p => new MailPart(p.GetProperty("content_type").GetString()!,
                    p.GetProperty("charset").GetString(), p.GetProperty("body").GetString()!,
                    p.TryGetProperty("filename", out var name) ? name.GetString() : null))], r.GetProperty("login").GetString(),
                r.GetProperty("tls").GetBoolean(), r.GetProperty("raw").GetString()!));
        }
    }
}
