namespace Tollgate.Server.Web.Portal;

/// <summary>What the portal's bar names when no brand is set: words a customer understands, not Tollgate's name.</summary>
public static class PortalBrand
{
    public const string Neutral = "Billing portal";
}
