namespace Tollgate.Core.Catalog;

/// <summary>
/// What a customer whose subscription is past due beyond its grace (suspended by dunning) may use: the catalog's
/// default plan, or nothing until the invoice is paid (the data API seed's "Active subscription required").
/// </summary>
public enum SuspensionPolicy
{
    DefaultPlan,
    Deny,
}

public static class SuspensionPolicyNames
{
    public const string Field = "on_suspension";

    public static string ToWire(this SuspensionPolicy policy) => policy == SuspensionPolicy.Deny ? "deny" : "default_plan";

    public static bool TryParse(string? text, out SuspensionPolicy policy)
    {
        policy = text == "deny" ? SuspensionPolicy.Deny : SuspensionPolicy.DefaultPlan;
        return text is "deny" or "default_plan";
    }
}
