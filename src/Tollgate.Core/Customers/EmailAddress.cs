namespace Tollgate.Core.Customers;

/// <summary>
/// Which customer e-mail addresses Tollgate accepts: a plain <c>local@domain.tld</c> that an SMTP server takes in RCPT
/// TO, without display names, quoting, comments or spaces, so no address can smuggle a header or a second recipient.
/// </summary>
public static class EmailAddress
{
    public const int MaxLength = 254; // RFC 5321: a path is at most 256 octets, two of them the angle brackets
    public const string Hint = "must be an e-mail address such as name@example.com, of at most 254 characters";

    private const string LocalSpecials = "!#$%&'*+-/=?^_`{|}~.";

    public static bool IsValid(string? address)
    {
        if (address is null || address.Length is 0 or > MaxLength)
        {
            return false;
        }

        var at = address.LastIndexOf('@');
        if (at <= 0 || at > 64 || address.IndexOf('@', StringComparison.Ordinal) != at)
        {
            return false;
        }

        var local = address[..at];
        var domain = address[(at + 1)..];
        return local.All(c => char.IsAsciiLetterOrDigit(c) || LocalSpecials.Contains(c, StringComparison.Ordinal) || c > 127 && char.IsLetterOrDigit(c))
            && !local.StartsWith('.') && !local.EndsWith('.') && !local.Contains("..", StringComparison.Ordinal)
            && IsDomain(domain);
    }

    private static bool IsDomain(string domain)
    {
        var labels = domain.Split('.');
        return labels.Length >= 2
            && labels.All(l => l.Length is >= 1 and <= 63 && !l.StartsWith('-') && !l.EndsWith('-')
                && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c > 127 && char.IsLetterOrDigit(c)))
            && !labels[^1].All(char.IsAsciiDigit); // a top-level label is never all digits (that is an IP address)
    }
}
