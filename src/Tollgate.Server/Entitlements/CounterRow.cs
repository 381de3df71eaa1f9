using Tollgate.Core.Billing;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Periods;

namespace Tollgate.Server.Entitlements;

/// <summary>A usage_counters row as Dapper reads it; each query selects the columns it needs.</summary>
internal sealed class CounterRow
{
    public string CustomerId { get; set; } = "";
    public string FeatureCode { get; set; } = "";
    public long PeriodStart { get; set; }
    public long PeriodEnd { get; set; }
    public long Used { get; set; }
    public long Reserved { get; set; }
    public long CarriedIn { get; set; }
    public long OverageBilled { get; set; }

    /// <summary>The quota the overage was billed past (seats multiplied in); null until billed, or billed before it was kept.</summary>
    public long? BilledQuota { get; set; }

    public CounterState ToState() => new(Used, Reserved, CarriedIn);

    public BillingPeriod Window => new(DateTimeOffset.FromUnixTimeMilliseconds(PeriodStart), DateTimeOffset.FromUnixTimeMilliseconds(PeriodEnd));

    public OverageWindow ToOverageWindow() => new(FeatureCode, DateTimeOffset.FromUnixTimeMilliseconds(PeriodStart), ToState(), OverageBilled);
}
