using System.Text.Json;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;

namespace Tollgate.Storage.Customers;

internal sealed class CustomerRow
{
    public string Id { get; set; } = "";
    public string? Email { get; set; }
    public string? Name { get; set; }
    public string MetadataJson { get; set; } = "{}";
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    public Customer ToDomain() => new(Id, Email, Name,
        JsonSerializer.Deserialize<Dictionary<string, string>>(MetadataJson) ?? [],
        DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt));
}

internal sealed class SubscriptionRow
{
    public const string Columns = """
        id, customer_id, plan_code, plan_version_id, billing_period, status, anchor_at, current_period_start, current_period_end,
        trial_end_at, cancel_at_period_end, canceled_at, created_at, updated_at
        """;

    public string Id { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string PlanCode { get; set; } = "";
    public string PlanVersionId { get; set; } = "";
    public string BillingPeriod { get; set; } = "";
    public string Status { get; set; } = "";
    public long AnchorAt { get; set; }
    public long CurrentPeriodStart { get; set; }
    public long CurrentPeriodEnd { get; set; }
    public long? TrialEndAt { get; set; }
    public bool CancelAtPeriodEnd { get; set; }
    public long? CanceledAt { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    /// <summary>Reads the columns of <see cref="Columns"/>, in that order, starting at <paramref name="first"/>.</summary>
    public static SubscriptionRow FromReader(System.Data.Common.DbDataReader r, int first) => new()
    {
        Id = r.GetString(first),
        CustomerId = r.GetString(first + 1),
        PlanCode = r.GetString(first + 2),
        PlanVersionId = r.GetString(first + 3),
        BillingPeriod = r.GetString(first + 4),
        Status = r.GetString(first + 5),
        AnchorAt = r.GetInt64(first + 6),
        CurrentPeriodStart = r.GetInt64(first + 7),
        CurrentPeriodEnd = r.GetInt64(first + 8),
        TrialEndAt = r.IsDBNull(first + 9) ? null : r.GetInt64(first + 9),
        CancelAtPeriodEnd = r.GetBoolean(first + 10),
        CanceledAt = r.IsDBNull(first + 11) ? null : r.GetInt64(first + 11),
        CreatedAt = r.GetInt64(first + 12),
        UpdatedAt = r.GetInt64(first + 13),
    };

    public Subscription ToDomain()
    {
        BillingIntervalNames.TryParse(BillingPeriod, out var interval);
        return new Subscription(Id, CustomerId, PlanCode, PlanVersionId, interval, SubscriptionStatusNames.Parse(Status),
            Instant(AnchorAt), Instant(CurrentPeriodStart), Instant(CurrentPeriodEnd), TrialEndAt is { } t ? Instant(t) : null,
            CancelAtPeriodEnd, CanceledAt is { } c ? Instant(c) : null, Instant(CreatedAt), Instant(UpdatedAt));
    }

    public static object Parameters(Subscription s) => new
    {
        s.Id, s.CustomerId, s.PlanCode, s.PlanVersionId, BillingPeriod = s.BillingPeriod.ToWire(), Status = s.Status.ToWire(),
        AnchorAt = s.AnchorAt.ToUnixTimeMilliseconds(), CurrentPeriodStart = s.CurrentPeriodStart.ToUnixTimeMilliseconds(),
        CurrentPeriodEnd = s.CurrentPeriodEnd.ToUnixTimeMilliseconds(), TrialEndAt = s.TrialEndAt?.ToUnixTimeMilliseconds(),
        s.CancelAtPeriodEnd, CanceledAt = s.CanceledAt?.ToUnixTimeMilliseconds(), CreatedAt = s.CreatedAt.ToUnixTimeMilliseconds(),
        UpdatedAt = s.UpdatedAt.ToUnixTimeMilliseconds(),
    };

    private static DateTimeOffset Instant(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
