using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;

namespace Tollgate.Core.Tests.Billing;

/// <summary>Plan versions and subscriptions for billing examples, priced in whole dollars.</summary>
internal static class Plans
{
    public static DateTimeOffset Utc(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, TimeSpan.Zero);

    public static PlanVersion Version(string code, long monthlyCents, long? yearlyCents = null, int version = 1)
    {
        List<PlanPrice> prices = [new PlanPrice(BillingInterval.Monthly, monthlyCents, "USD", 0, null)];
        if (yearlyCents is { } y)
        {
            prices.Add(new PlanPrice(BillingInterval.Yearly, y, "USD", 0, null));
        }

        return new PlanVersion($"{code}_v{version}", code, version, new PlanTerms(prices, [], null), "hash", Utc(2020, 1, 1));
    }

    public static Subscription Monthly(PlanVersion version, DateTimeOffset start, BillingInterval interval = BillingInterval.Monthly)
    {
        var period = Core.Periods.BillingPeriod.Nth(start, interval, 0);
        return new Subscription
        {
            Id = "sub_1", CustomerId = "c1", PlanCode = version.PlanCode, PlanVersionId = version.Id, BillingPeriod = interval,
            Status = SubscriptionStatus.Active, AnchorAt = start, CurrentPeriodStart = period.Start, CurrentPeriodEnd = period.End,
            CreatedAt = start, UpdatedAt = start,
        };
    }
}
