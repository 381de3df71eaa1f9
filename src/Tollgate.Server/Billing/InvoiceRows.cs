using System.Text.Json;
using Tollgate.Core.Billing;
using Tollgate.Core.Taxes;
using Tollgate.Core.Customers;

namespace Tollgate.Server.Billing;

internal sealed class InvoiceRow
{
    public string Id { get; set; } = "";
    public string? Number { get; set; }
    public string CustomerId { get; set; } = "";
    public string? SubscriptionId { get; set; }
    public string Status { get; set; } = "";
    public string BillingReason { get; set; } = "";
    public string Currency { get; set; } = "";
    public long SubtotalCents { get; set; }
    public long CreditAppliedCents { get; set; }
    public long AmountDueCents { get; set; }
    public long AmountPaidCents { get; set; }
    public long? PeriodStart { get; set; }
    public long? PeriodEnd { get; set; }
    public string CollectionMethod { get; set; } = "";
    public long? IssuedAt { get; set; }
    public long? DueAt { get; set; }
    public long? PaidAt { get; set; }
    public long? VoidedAt { get; set; }
    public long CreatedAt { get; set; }
    public long DiscountCents { get; set; }
    public long CreditedCents { get; set; }
    public bool ReverseCharge { get; set; }
    public string? StripeTaxesJson { get; set; }

    public Invoice ToDomain(IReadOnlyList<InvoiceLine> lines) => new(
        Id, Number, CustomerId, SubscriptionId, InvoiceStatusNames.Parse(Status), BillingReason, Currency, SubtotalCents, CreditAppliedCents,
        AmountDueCents, AmountPaidCents, At(PeriodStart), At(PeriodEnd), SubscriptionStatusNames.ParseCollection(CollectionMethod),
        At(IssuedAt), At(DueAt), At(PaidAt), At(VoidedAt), DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), lines, DiscountCents,
        CreditedCents, ReverseCharge, StripeTaxJson.Read(StripeTaxesJson));

    internal static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}

internal sealed class InvoiceLineRow
{
    public string InvoiceId { get; set; } = "";
    public long Position { get; set; }
    public string Kind { get; set; } = "";
    public string Description { get; set; } = "";
    public long AmountCents { get; set; }
    public long Quantity { get; set; }
    public long UnitAmountCents { get; set; }
    public long PeriodStart { get; set; }
    public long PeriodEnd { get; set; }
    public string? PlanCode { get; set; }
    public string? PlanVersionId { get; set; }
    public string? FeatureCode { get; set; }
    public long DiscountCents { get; set; }
    public string TaxesJson { get; set; } = "[]";

    public InvoiceLine ToDomain() => new(InvoiceLineKindNames.Parse(Kind), Description, AmountCents, Quantity, UnitAmountCents,
        DateTimeOffset.FromUnixTimeMilliseconds(PeriodStart), DateTimeOffset.FromUnixTimeMilliseconds(PeriodEnd), PlanCode, PlanVersionId, FeatureCode,
        DiscountCents, LineTaxJson.Read(TaxesJson));

    public static object Parameters(string invoiceId, int position, InvoiceLine l) => new
    {
        invoiceId, position = (long)position, kind = l.Kind.ToWire(), description = l.Description, amount = l.AmountCents, quantity = l.Quantity,
        unit = l.UnitAmountCents, start = l.PeriodStart.ToUnixTimeMilliseconds(), end = l.PeriodEnd.ToUnixTimeMilliseconds(), plan = l.PlanCode,
        version = l.PlanVersionId, feature = l.FeatureCode, discount = l.DiscountCents, taxes = LineTaxJson.Write(l.Taxes),
        inclusiveTax = l.TaxCents - l.ExclusiveTaxCents,
    };
}

/// <summary>A line's taxes as stored: the rates as they were at issue, read and written whole, never queried into.</summary>
internal static class LineTaxJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IReadOnlyList<LineTax> Read(string json) =>
        json is "[]" or "" ? [] : [.. (JsonSerializer.Deserialize<List<Stored>>(json, Options) ?? []).Select(t => new LineTax(t.TaxRate, t.Name, t.Millionths, t.Inclusive, t.AmountCents))];

    public static string Write(IReadOnlyList<LineTax> taxes) =>
        taxes.Count == 0 ? "[]" : JsonSerializer.Serialize(taxes.Select(t => new Stored(t.TaxRateId, t.Name, t.Millionths, t.Inclusive, t.AmountCents)), Options);

    private sealed record Stored(string TaxRate, string Name, long Millionths, bool Inclusive, long AmountCents);
}

/// <summary>Stripe's per-rate tax on an invoice as stored: read and written whole. Null is "Tollgate computed the tax".</summary>
internal static class StripeTaxJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IReadOnlyList<TaxBreakdown>? Read(string? json) =>
        json is null ? null : [.. (JsonSerializer.Deserialize<List<Stored>>(json, Options) ?? [])
            .Select(t => new TaxBreakdown(t.TaxRate, t.Name, t.Millionths, t.Inclusive, t.TaxableCents, t.AmountCents))];

    public static string Write(IReadOnlyList<TaxBreakdown> taxes) =>
        JsonSerializer.Serialize(taxes.Select(t => new Stored(t.TaxRateId, t.Name, t.Millionths, t.Inclusive, t.TaxableCents, t.AmountCents)), Options);

    private sealed record Stored(string TaxRate, string Name, long Millionths, bool Inclusive, long TaxableCents, long AmountCents);
}
