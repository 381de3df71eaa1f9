namespace Tollgate.Core.Catalog;

public enum BillingInterval
{
    Monthly,
    Yearly,
}

public static class BillingIntervalNames
{
    public static string ToWire(this BillingInterval interval) => interval == BillingInterval.Monthly ? "monthly" : "yearly";

    public static bool TryParse(string? text, out BillingInterval interval)
    {
        switch (text)
        {
            case "monthly":
                interval = BillingInterval.Monthly;
                return true;
            case "yearly":
                interval = BillingInterval.Yearly;
                return true;
            default:
                interval = default;
                return false;
        }
    }

    public static int Months(this BillingInterval interval) => interval == BillingInterval.Monthly ? 1 : 12;
}
