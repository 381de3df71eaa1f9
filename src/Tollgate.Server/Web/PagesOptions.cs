namespace Tollgate.Server.Web;

/// <summary>Bound from Tollgate:Pages.</summary>
public sealed class PagesOptions
{
    public const string Section = "Tollgate:Pages";

    /// <summary>
    /// The product (the operator's brand) that pages a customer sees are titled with: "Acme pricing". Unset, they use neutral
    /// words ("Pricing", "the app"), never Tollgate's name, which only the operator's console shows.
    /// </summary>
    public string? ProductName { get; set; }

    /// <summary>The brand to show, or null when none is set (a blank setting counts as none).</summary>
    public string? Brand => string.IsNullOrWhiteSpace(ProductName) ? null : ProductName.Trim();

    /// <summary>
    /// Where a plan's call to action on the pricing page goes, with {plan} and {period} filled in, such as
    /// https://app.example.com/signup?plan={plan}&amp;period={period}. Unset: the catalog's upgrade_url with the same
    /// query, or else /pricing/start, which sells the price through Stripe Checkout or says how to subscribe.
    /// </summary>
    public string? CtaUrl { get; set; }

    /// <summary>The address people reach this server at, for links it hands out (portal sessions); unset: the request's own.</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>The origin links handed out by <paramref name="request"/>'s answer start with, without a trailing slash.</summary>
    public string OriginFor(HttpRequest request) => PublicBaseUrl?.ToString().TrimEnd('/') ?? $"{request.Scheme}://{request.Host}";

    /// <summary>How long a portal link works before it is entered.</summary>
    public TimeSpan PortalLinkLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a portal or console session lasts once entered.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);
}
