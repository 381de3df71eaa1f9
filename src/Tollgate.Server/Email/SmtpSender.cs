using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Tollgate.Server.Email;

/// <summary>A rendered e-mail: its subject, the same content as plain text and as HTML, and any files attached (an invoice's PDF).</summary>
public sealed record RenderedEmail(string Subject, string Text, string Html, IReadOnlyList<EmailAttachment>? Attachments = null);

/// <summary>A file attached to an e-mail.</summary>
public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>How an SMTP attempt ended: sent, refused for now (retry), refused for good, or not reached at all (retry).</summary>
public sealed record SmtpResult(bool Sent, bool Permanent, int? Status, string? Error);

/// <summary>
/// Sends through the configured SMTP server with MailKit: plain, STARTTLS or implicit TLS, SASL authentication when a
/// username is set, and a multipart/alternative body of text and HTML (inside multipart/mixed when files are attached). It adds no trace headers: trace context stays inside.
/// </summary>
public sealed class SmtpSender(IOptions<EmailOptions> options)
{
    public async Task<SmtpResult> SendAsync(string to, string messageId, RenderedEmail email, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp; // Host and From are set: the dispatcher sends only when IsConfigured
        using var message = Compose(smtp, to, messageId, email);
        using var client = new SmtpClient
        {
            Timeout = (int)Math.Min(smtp.Timeout.TotalMilliseconds, int.MaxValue),
            // A relay's CRL or OCSP responder out of reach must not stop mail whose certificate otherwise verifies.
            CheckCertificateRevocation = false,
        };
        if (smtp.PinnedThumbprint is { } pinned)
        {
            // A pinned certificate is trusted as it is (a self-signed relay); any other must pass the usual checks.
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) => errors == SslPolicyErrors.None
                || string.Equals(certificate?.GetCertHashString(HashAlgorithmName.SHA256), pinned, StringComparison.OrdinalIgnoreCase);
        }

        // Timeout bounds each read and write; the token bounds the attempt as a whole.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(smtp.Timeout);
        try
        {
            await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.SocketOptions, timeout.Token);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", timeout.Token);
            }

            await client.SendAsync(message, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SmtpResult(false, false, null, $"no answer within {smtp.Timeout.TotalSeconds:0} s");
        }
        catch (SmtpCommandException e)
        {
            var status = (int)e.StatusCode;
            // 5xx replies are final (no such mailbox, relaying denied); 4xx may pass later, and so may the authentication
            // refusals (530, 534, 535, 538), which a corrected setting mends without the message changing.
            var coded = status is >= 400 and < 600;
            var final = coded && status >= 500 && status is not (530 or 534 or 535 or 538);
            return new SmtpResult(false, final, coded ? status : null, Describe(e));
        }
        catch (AuthenticationException e)
        {
            // Rejected credentials are the settings' fault, not the message's: retry, so a corrected password still sends it.
            return new SmtpResult(false, false, null, Describe(e, "authentication failed: "));
        }
        catch (Exception e) when (e is IOException or SocketException or ProtocolException or SslHandshakeException or SaslException
            or ServiceNotConnectedException or NotSupportedException)
        {
            // Unreachable, cut off, TLS refused, or STARTTLS or AUTH not offered: nothing the message can change, so retry.
            return new SmtpResult(false, false, null, Describe(e));
        }

        await QuitAsync(client);
        return new SmtpResult(true, false, 250, null);
    }

    /// <summary>The server took the message at DATA: a QUIT failing after that must not make a retry and a second copy.</summary>
    private static async Task QuitAsync(SmtpClient client)
    {
        try
        {
            using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.DisconnectAsync(quit: true, quit.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ProtocolException or CommandException
            or OperationCanceledException)
        {
            // The connection is dropped with the client; the message is already the server's.
        }
    }

    private static MimeMessage Compose(SmtpOptions smtp, string to, string messageId, RenderedEmail email)
    {
        var body = new BodyBuilder { TextBody = email.Text, HtmlBody = email.Html };
        foreach (var attachment in email.Attachments ?? [])
        {
            body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
        }

        var message = new MimeMessage
        {
            Subject = email.Subject,
            // A stable Message-ID per event and recipient lets a mailbox drop a copy a crash between send and record could repeat.
            MessageId = $"{messageId}@tollgate",
            Body = body.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse(smtp.From!));
        message.To.Add(MailboxAddress.Parse(to));
        return message;
    }

    private static string Describe(Exception e, string prefix = "")
    {
        var text = prefix + (e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        return text.Length > 500 ? text[..500] : text;
    }
}
