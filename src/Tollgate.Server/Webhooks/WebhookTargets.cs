using System.Net;
using System.Net.Sockets;

namespace Tollgate.Server.Webhooks;

/// <summary>
/// Keeps webhooks off internal networks: an address is refused when it is loopback, private, link-local, shared (CGNAT),
/// multicast or unspecified. Checked when an endpoint is registered and again at every connection, on the address
/// actually connected to, so a name that later resolves somewhere internal (DNS rebinding) is refused too.
/// </summary>
public static class WebhookTargets
{
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return b[0] switch
            {
                0 or 10 or 127 => true,
                100 => b[1] is >= 64 and <= 127, // 100.64.0.0/10, carrier-grade NAT
                169 => b[1] == 254, // link-local, including cloud metadata at 169.254.169.254
                172 => b[1] is >= 16 and <= 31,
                192 => (b[1] == 168) || (b[1] == 0 && b[2] is 0 or 2),
                198 => b[1] is 18 or 19, // benchmarking
                >= 224 => true, // multicast and reserved
                _ => false,
            };
        }

        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
            || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && IsInternal(new IPAddress(b[12..]))) // NAT64 of an internal v4
            || (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && IsInternal(new IPAddress(b[12..]))) // IPv4-compatible ::a.b.c.d
            || (b[0] == 0x20 && b[1] == 0x02 && IsInternal(new IPAddress(b[2..6]))); // 6to4 2002:aabb:ccdd::/48 embeds a.b.c.d
    }

    /// <summary>Null when the URL may be used; otherwise why not, in words for the "url" field.</summary>
    public static async Task<string?> CheckAsync(string url, bool allowInternal, CancellationToken cancellationToken)
    {
        if (Http.Validate.HttpUrl(url) is { } problem)
        {
            return problem;
        }

        var uri = new Uri(url);
        if (allowInternal)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(uri.DnsSafeHost, cancellationToken);
        }
        catch (SocketException)
        {
            return null; // a name that does not resolve yet is checked again at every delivery
        }

        return addresses.Any(IsInternal)
            ? $"resolves to an internal address ({addresses.First(IsInternal)}); set Tollgate:Webhooks:AllowPrivateTargets to allow it"
            : null;
    }

    /// <summary>
    /// The host's addresses. A trailing dot (a fully qualified name: "localhost.", "127.0.0.1.") names the same host, so
    /// it goes before the check: with it, registration saw no literal address and a name that did not resolve here.
    /// </summary>
    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var name = host.TrimEnd('.');
        // "." alone names no host, and an empty name resolves to this machine's own addresses: it is this machine.
        return name.Length == 0 ? [IPAddress.Loopback]
            : IPAddress.TryParse(name, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(name, cancellationToken);
    }

    /// <summary>Connects only to addresses that are allowed, whatever the name resolves to at this moment.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(Func<bool> allowInternal) =>
        async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = await ResolveAsync(host, cancellationToken);
            var allowed = allowInternal() ? addresses : [.. addresses.Where(a => !IsInternal(a))];
            if (allowed.Length == 0)
            {
                throw new HttpRequestException($"Refused: {host} resolves only to internal addresses.");
            }

            SocketException? last = null;
            foreach (var address in allowed)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    last = e;
                }
            }

            throw new HttpRequestException($"Could not connect to {host}: {last?.Message}", last);
        };
}
