using System.Globalization;
using System.Text.Json;

namespace Tollgate.Server.Email;

/// <summary>The e-mails Tollgate sends to customers, each named after what it reports, and the event that sends it.</summary>
public static class EmailKinds
{
    public const string Threshold = "threshold";
    public const string Exceeded = "exceeded";
    public const string Projected = "projected";
    public const string Budget = "budget";
    public const string InvoiceIssued = "invoice_issued";
    public const string InvoicePaid = "invoice_paid";
    public const string InvoicePaymentFailed = "invoice_payment_failed";
    public const string TrialEnding = "trial_ending";

    /// <summary>Every kind, in the order the catalog export lists them.</summary>
    public static IReadOnlyList<string> All => Core.Catalog.CatalogNotify.EmailKinds;

    // The webhook event types, spelled out because the webhook outbox calls into this folder (a test checks each is known).
    private static readonly Dictionary<string, string> KindByEvent = new(StringComparer.Ordinal)
    {
        ["usage.threshold_crossed"] = Threshold,
        ["quota.exceeded"] = Exceeded,
        ["usage.projected_exhaustion"] = Projected,
        ["budget.threshold_crossed"] = Budget,
        ["invoice.created"] = InvoiceIssued,
        ["invoice.paid"] = InvoicePaid,
        ["invoice.payment_failed"] = InvoicePaymentFailed,
        ["subscription.trial_will_end"] = TrialEnding,
    };

    /// <summary>The kind an outbox event is mailed as, or null when customers get no e-mail for it.</summary>
    public static string? ForEvent(string eventType) => KindByEvent.GetValueOrDefault(eventType);

    /// <summary>The event types <see cref="ForEvent"/> mails.</summary>
    public static IReadOnlyCollection<string> MailedEvents => KindByEvent.Keys;

    /// <summary>
    /// What makes two events the same for the no-double-send rule: an alert and an invoice's issue or payment happen once
    /// per object; a payment can fail many times, once per attempt time; a trial ends once per trial end.
    /// </summary>
    public static string IdempotencyKey(string kind, JsonElement data, DateTimeOffset at) => kind switch
    {
        InvoicePaymentFailed => $"{kind}:{Text(data, "id")}:{at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}",
        TrialEnding => $"{kind}:{Text(data, "id")}:{Text(data, "trial_end")}",
        _ => $"{kind}:{Text(data, "id")}",
    };

    internal static string Text(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
