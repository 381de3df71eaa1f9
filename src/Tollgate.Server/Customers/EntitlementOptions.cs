namespace Tollgate.Server.Customers;

/// <summary>
/// Bound from Tollgate:Billing as well (GraceDays is a billing setting), so that resolving a customer's entitlements
/// needs nothing from the billing folder.
/// </summary>
public sealed class EntitlementOptions
{
    /// <summary>Days a past-due subscription keeps its entitlements.</summary>
    public int GraceDays { get; set; } = 7;

    public TimeSpan Grace => TimeSpan.FromDays(GraceDays);
}
