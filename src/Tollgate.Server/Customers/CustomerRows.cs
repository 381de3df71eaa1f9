using System.Text.Json;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Customers;

internal sealed class CustomerRow
{
    public string Id { get; set; } = "";
    public string? Email { get; set; }

    /// <summary>
    /// The e-mail as the lookup by address compares it (every letter lowered, as .NET's invariant culture does), stored in
    /// <c>email_key</c> so an index answers the lookup on SQLite too. Named apart from the column: it is written, never read back.
    /// </summary>
    public string? FoldedEmail => Email?.ToLowerInvariant();
    public string? Name { get; set; }
    public string MetadataJson { get; set; } = "{}";
    public bool HasPaymentMethod { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long? DeletedAt { get; set; }
    public string? AddressJson { get; set; }
    public string TaxIdsJson { get; set; } = "[]";
    public string TaxExempt { get; set; } = TaxExemptions.None;
    public string TaxRatesJson { get; set; } = "[]";
    public string? Currency { get; set; }

    public Customer ToDomain() => new(Id, Email, Name,
        JsonSerializer.Deserialize<Dictionary<string, string>>(MetadataJson) ?? [], HasPaymentMethod,
        DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt),
        AddressJson is null ? null : JsonSerializer.Deserialize<PostalAddress>(AddressJson, BillingJson.Options),
        JsonSerializer.Deserialize<List<CustomerTaxId>>(TaxIdsJson, BillingJson.Options) ?? [], TaxExempt,
        JsonSerializer.Deserialize<List<string>>(TaxRatesJson) ?? [], Currency);
}

/// <summary>The billing details' JSON columns, in the wire's snake_case so an export reads them as the API shows them.</summary>
internal static class BillingJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static string? Address(PostalAddress? address) => address is null ? null : JsonSerializer.Serialize(address, Options);

    public static string TaxIds(IReadOnlyList<CustomerTaxId> taxIds) => JsonSerializer.Serialize(taxIds, Options);
}

internal sealed class SubscriptionRow
{
    public const string Columns = """
        id, customer_id, plan_code, plan_version_id, billing_period, status, anchor_at, current_period_start, current_period_end,
        trial_start_at, trial_end_at, cancel_at_period_end, canceled_at, ended_at, pending_plan_version_id, pending_billing_period,
        past_due_since, dunning_state, collection_method, days_until_due, stripe_subscription_id, revision, created_at, updated_at,
        price_override_cents, price_override_plan_version_id, price_override_billing_period,
        seats, pending_seats, price_override_note,
        cancel_reason, cancel_comment, currency
        """;

    public const string Values = """
        @Id, @CustomerId, @PlanCode, @PlanVersionId, @BillingPeriod, @Status, @AnchorAt, @CurrentPeriodStart, @CurrentPeriodEnd,
        @TrialStartAt, @TrialEndAt, @CancelAtPeriodEnd, @CanceledAt, @EndedAt, @PendingPlanVersionId, @PendingBillingPeriod,
        @PastDueSince, @DunningState, @CollectionMethod, @DaysUntilDue, @StripeSubscriptionId, @Revision, @CreatedAt, @UpdatedAt,
        @PriceOverrideCents, @PriceOverridePlanVersionId, @PriceOverrideBillingPeriod,
        @Seats, @PendingSeats, @PriceOverrideNote,
        @CancelReason, @CancelComment, @Currency
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
    public long? TrialStartAt { get; set; }
    public long? TrialEndAt { get; set; }
    public bool CancelAtPeriodEnd { get; set; }
    public long? CanceledAt { get; set; }
    public long? EndedAt { get; set; }
    public string? PendingPlanVersionId { get; set; }
    public string? PendingBillingPeriod { get; set; }
    public long? PastDueSince { get; set; }
    public string? DunningState { get; set; }
    public string CollectionMethod { get; set; } = "send_invoice";
    public long DaysUntilDue { get; set; }
    public string? StripeSubscriptionId { get; set; }
    public long Revision { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long? PriceOverrideCents { get; set; }
    public string? PriceOverridePlanVersionId { get; set; }
    public string? PriceOverrideBillingPeriod { get; set; }
    public long? Seats { get; set; }
    public long? PendingSeats { get; set; }
    public string? PriceOverrideNote { get; set; }
    public string? CancelReason { get; set; }
    public string? CancelComment { get; set; }
    public string Currency { get; set; } = "";

    /// <summary>Reads the columns of <see cref="Columns"/>, in that order, starting at <paramref name="first"/>.</summary>
    public static SubscriptionRow FromReader(IRow r, int first)
    {
        long? Nullable(int i) => r.IsDBNull(first + i) ? null : r.GetInt64(first + i);
        string? Text(int i) => r.IsDBNull(first + i) ? null : r.GetString(first + i);
        return new SubscriptionRow
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
            TrialStartAt = Nullable(9),
            TrialEndAt = Nullable(10),
            CancelAtPeriodEnd = r.GetBoolean(first + 11),
            CanceledAt = Nullable(12),
            EndedAt = Nullable(13),
            PendingPlanVersionId = Text(14),
            PendingBillingPeriod = Text(15),
            PastDueSince = Nullable(16),
            DunningState = Text(17),
            CollectionMethod = r.GetString(first + 18),
            DaysUntilDue = r.GetInt64(first + 19),
            StripeSubscriptionId = Text(20),
            Revision = r.GetInt64(first + 21),
            CreatedAt = r.GetInt64(first + 22),
            UpdatedAt = r.GetInt64(first + 23),
            PriceOverrideCents = Nullable(24),
            PriceOverridePlanVersionId = Text(25),
            PriceOverrideBillingPeriod = Text(26),
            Seats = Nullable(27),
            PendingSeats = Nullable(28),
            PriceOverrideNote = Text(29),
            CancelReason = Text(30),
            CancelComment = Text(31),
            Currency = r.GetString(first + 32),
        };
    }

    public Subscription ToDomain()
    {
        BillingIntervalNames.TryParse(BillingPeriod, out var interval);
        BillingInterval? pending = BillingIntervalNames.TryParse(PendingBillingPeriod, out var p) ? p : null;
        return new Subscription
        {
            Id = Id,
            CustomerId = CustomerId,
            PlanCode = PlanCode,
            PlanVersionId = PlanVersionId,
            BillingPeriod = interval,
            Status = SubscriptionStatusNames.Parse(Status),
            AnchorAt = Instant(AnchorAt),
            CurrentPeriodStart = Instant(CurrentPeriodStart),
            CurrentPeriodEnd = Instant(CurrentPeriodEnd),
            TrialStartAt = Instant(TrialStartAt),
            TrialEndAt = Instant(TrialEndAt),
            CancelAtPeriodEnd = CancelAtPeriodEnd,
            CanceledAt = Instant(CanceledAt),
            EndedAt = Instant(EndedAt),
            PendingPlanVersionId = PendingPlanVersionId,
            PendingBillingPeriod = pending,
            PastDueSince = Instant(PastDueSince),
            DunningState = DunningState,
            CollectionMethod = SubscriptionStatusNames.ParseCollection(CollectionMethod),
            DaysUntilDue = (int)DaysUntilDue,
            StripeSubscriptionId = StripeSubscriptionId,
            Revision = Revision,
            CreatedAt = Instant(CreatedAt),
            UpdatedAt = Instant(UpdatedAt),
            PriceOverride = PriceOverrideCents is { } cents && PriceOverridePlanVersionId is { } version
                && BillingIntervalNames.TryParse(PriceOverrideBillingPeriod, out var overridden)
                ? new PriceOverride(cents, version, overridden, PriceOverrideNote) : null,
            Seats = (int?)Seats,
            PendingSeats = (int?)PendingSeats,
            CancelReason = CancelReason,
            CancelComment = CancelComment,
            Currency = Currency,
        };
    }

    public static object Parameters(Subscription s) => new
    {
        s.Id, s.CustomerId, s.PlanCode, s.PlanVersionId, BillingPeriod = s.BillingPeriod.ToWire(), Status = s.Status.ToWire(),
        AnchorAt = Ms(s.AnchorAt), CurrentPeriodStart = Ms(s.CurrentPeriodStart), CurrentPeriodEnd = Ms(s.CurrentPeriodEnd),
        TrialStartAt = Ms(s.TrialStartAt), TrialEndAt = Ms(s.TrialEndAt), s.CancelAtPeriodEnd, CanceledAt = Ms(s.CanceledAt),
        EndedAt = Ms(s.EndedAt), s.PendingPlanVersionId, PendingBillingPeriod = s.PendingBillingPeriod?.ToWire(),
        PastDueSince = Ms(s.PastDueSince), s.DunningState, CollectionMethod = s.CollectionMethod.ToWire(), DaysUntilDue = (long)s.DaysUntilDue,
        s.StripeSubscriptionId, s.Revision, CreatedAt = Ms(s.CreatedAt), UpdatedAt = Ms(s.UpdatedAt),
        PriceOverrideCents = s.PriceOverride?.PriceCents, PriceOverridePlanVersionId = s.PriceOverride?.PlanVersionId,
        PriceOverrideBillingPeriod = s.PriceOverride?.BillingPeriod.ToWire(),
        Seats = (long?)s.Seats, PendingSeats = (long?)s.PendingSeats, PriceOverrideNote = s.PriceOverride?.Note,
        s.CancelReason, s.CancelComment, s.Currency,
    };

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static long? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    private static DateTimeOffset Instant(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? Instant(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
