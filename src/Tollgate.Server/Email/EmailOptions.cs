namespace Tollgate.Server.Email;

/// <summary>Bound from Tollgate:Email. Without an SMTP host and a From address no e-mail is sent.</summary>
public sealed class EmailOptions
{
    public const string Section = "Tollgate:Email";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>A folder whose files replace the embedded templates of the same name (threshold.txt, invoice_paid.html, ...).</summary>
    public string? TemplatesPath { get; set; }

    /// <summary>How often each node looks for messages that are due.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts before a message the server keeps refusing for now (4xx, or no connection) is given up as dead.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Messages a node sends at once.</summary>
    public int MaxConcurrency { get; set; } = 4;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Smtp.Host) && !string.IsNullOrWhiteSpace(Smtp.From);
}

/// <summary>
/// The SMTP server e-mail is relayed through: STARTTLS on 587 (the default), implicit TLS on 465, or plain on 25, with SASL
/// authentication when a username is set.
/// </summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Upgrade the connection with STARTTLS before authenticating; the server must offer it.</summary>
    public bool UseStartTls { get; set; } = true;

    /// <summary>Speak TLS from the first byte (SMTPS, port 465); <see cref="UseStartTls"/> is then ignored.</summary>
    public bool UseImplicitTls { get; set; }

    /// <summary>
    /// The SHA-256 thumbprint (hex, colons allowed) of the relay's certificate, trusted whatever its issuer and name: for a
    /// relay with a self-signed certificate. Unset, the certificate must chain to a trusted root and name the host.
    /// </summary>
    public string? CertificateSha256 { get; set; }

    /// <summary>The sender, as an address or "Name &lt;address&gt;".</summary>
    public string? From { get; set; }

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    internal string? PinnedThumbprint => string.IsNullOrWhiteSpace(CertificateSha256)
        ? null
        : CertificateSha256.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    internal MailKit.Security.SecureSocketOptions SocketOptions => UseImplicitTls
        ? MailKit.Security.SecureSocketOptions.SslOnConnect
        : UseStartTls ? MailKit.Security.SecureSocketOptions.StartTls : MailKit.Security.SecureSocketOptions.None;
}
