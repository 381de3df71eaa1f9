using System.Net;
using System.Net.Sockets;

namespace Tollgate.Server.Http;

/// <summary>The client a per-client limit counts: its address, an IPv6 client by its /64.</summary>
public static class ClientAddress
{
    public static string Of(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8); // one household or host usually holds a whole /64
            address = new IPAddress(bytes);
        }

        return address.ToString();
    }
}
