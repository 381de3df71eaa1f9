using Tollgate.Core.Catalog;

namespace Tollgate.Server.Web.Pricing;

/// <summary>The price the public pages list for a plan in an interval.</summary>
public static class ListedPrice
{
    /// <summary>
    /// The plan's own price, or for the catalog's default plan written without any price, a monthly price of 0: customers
    /// without a subscription are on that plan and pay nothing, so it reads "Free" and "Get started", not "Contact us".
    /// </summary>
    public static PlanPrice? Of(Plan plan, string? defaultPlan, BillingInterval interval) =>
        plan.Current.Terms.Price(interval) ?? (plan.Current.Terms.Prices.Count == 0 && plan.Code == defaultPlan && interval == BillingInterval.Monthly
            ? new PlanPrice(BillingInterval.Monthly, 0, "USD", 0, null)
            : null);
}
