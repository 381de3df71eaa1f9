using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Options;

namespace Tollgate.Server.Email;

/// <summary>A rendered e-mail: its subject, and the same content as plain text and as HTML.</summary>
public sealed record RenderedEmail(string Subject, string Text, string Html);

/// <summary>How an SMTP attempt ended: sent, refused for now (retry), refused for good, or not reached at all (retry).</summary>
public sealed record SmtpResult(bool Sent, bool Permanent, int? Status, string? Error);

/// <summary>
/// Sends through the configured SMTP server with System.Net.Mail (MailKit is not in this registry): STARTTLS when asked,
/// AUTH LOGIN with the configured user, and a multipart/alternative body of text and HTML.
/// </summary>
public sealed class SmtpSender(IOptions<EmailOptions> options)
{
    public async Task<SmtpResult> SendAsync(string to, string messageId, RenderedEmail email, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var message = new MailMessage
        {
            From = new MailAddress(smtp.From!),
            Subject = email.Subject,
            SubjectEncoding = Encoding.UTF8,
            Body = email.Text,
            BodyEncoding = Encoding.UTF8,
            IsBodyHtml = false,
        };
        message.To.Add(new MailAddress(to));
        // A stable Message-ID per event and recipient lets a mailbox drop a copy a crash between send and record could repeat.
        message.Headers.Add("Message-ID", $"<{messageId}@tollgate>");
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(email.Html, Encoding.UTF8, MediaTypeNames.Text.Html));
        using var client = new SmtpClient(smtp.Host, smtp.Port)
        {
            EnableSsl = smtp.UseStartTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = (int)smtp.Timeout.TotalMilliseconds,
            Credentials = string.IsNullOrEmpty(smtp.Username) ? null : new NetworkCredential(smtp.Username, smtp.Password),
        };
        // SmtpClient.Timeout bounds only synchronous sends; an asynchronous one is bounded by its token.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(smtp.Timeout);
        try
        {
            await client.SendMailAsync(message, timeout.Token);
            return new SmtpResult(true, false, 250, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SmtpResult(false, false, null, $"no answer within {smtp.Timeout.TotalSeconds:0} s");
        }
        catch (SmtpException e)
        {
            var status = (int)e.StatusCode;
            // 5xx replies are final (no such mailbox, relaying denied); 4xx and lost connections may pass later.
            var coded = status is >= 400 and < 600;
            return new SmtpResult(false, status >= 500 && coded, coded ? status : null, Describe(e));
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return new SmtpResult(false, false, null, Describe(e));
        }
    }

    private static string Describe(Exception e)
    {
        var text = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
        return text.Length > 500 ? text[..500] : text;
    }
}
