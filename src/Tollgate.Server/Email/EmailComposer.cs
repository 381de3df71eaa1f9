using System.Globalization;
using System.Text.Json;
using Tollgate.Core.Money;
using Tollgate.Server.Invoices;
using Tollgate.Server.Web.Invoices;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Email;

/// <summary>
/// Turns a queued message into its e-mail: the template of its kind filled from the event's data, and for invoices the
/// printable invoice (the page GET /v1/invoices/{id}/html serves) with the template's words above it, and its PDF attached.
/// </summary>
public sealed class EmailComposer(
    EmailTemplates templates, InvoiceStore invoices, CustomerStore customers, CatalogCache catalog, InvoiceHtml html, InvoicePdf pdf)
{
    public async Task<RenderedEmail> ComposeAsync(ClaimedEmail message, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(message.PayloadJson);
        var data = document.RootElement;
        var customer = await customers.GetAsync(message.CustomerId, cancellationToken);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["customer_id"] = message.CustomerId,
            ["customer_name"] = customer?.Name is { Length: > 0 } name ? name : message.Recipient,
            ["recipient"] = message.Recipient,
        };
        switch (message.Kind)
        {
            case EmailKinds.InvoiceIssued or EmailKinds.InvoicePaid or EmailKinds.InvoicePaymentFailed:
                var invoice = await invoices.GetAsync(message.ObjectId, cancellationToken)
                    ?? throw new InvalidOperationException($"invoice {message.ObjectId} is gone");
                fields["invoice_number"] = invoice.Number ?? invoice.Id;
                fields["amount_due"] = MinorUnits.Display(invoice.AmountDueCents, invoice.Currency);
                fields["amount_paid"] = MinorUnits.Display(invoice.AmountPaidCents, invoice.Currency);
                fields["due_date"] = Date(invoice.DueAt);
                // A credit invoice (a downgrade's unused time) owes nothing: say what became of it, not "$0.00 due".
                fields["due_summary"] = invoice.TotalCents < 0
                    ? $"{MinorUnits.Display(-invoice.TotalCents, invoice.Currency)} credited to your balance"
                    : invoice.AmountDueCents == 0 ? "nothing due"
                    : $"{fields["amount_due"]} due {fields["due_date"]}";
                fields["period_start"] = Date(invoice.PeriodStart);
                fields["period_end"] = Date(invoice.PeriodEnd);
                var intro = templates.Render(message.Kind, fields);
                // The PDF is drawn when the message is sent, from the invoice as it stands then (paid, credited), as the HTML is.
                var attachment = new EmailAttachment(InvoicePdf.FileName("invoice", invoice.Number ?? invoice.Id), InvoicePdf.ContentType,
                    await pdf.InvoiceAsync(invoice, customer, cancellationToken));
                return intro with { Html = WithIntro(await html.RenderAsync(invoice, customer, cancellationToken), intro.Html), Attachments = [attachment] };
            case EmailKinds.Budget:
                // A budget's amounts are nano-USD in the alert; the e-mail says dollars, to the cent or finer, as the alert's message does.
                fields["message"] = Text(data, "message");
                fields["spent"] = Usd(data, "used");
                fields["budget"] = Usd(data, "limit");
                fields["threshold"] = Number(data, "threshold");
                fields["period_end"] = Date(Instant(data, "period_end"));
                return templates.Render(message.Kind, fields);
            case EmailKinds.TrialEnding:
                var planCode = Text(data, "plan");
                fields["plan"] = (await catalog.GetAsync(cancellationToken)).Plan(planCode)?.Name ?? planCode;
                fields["trial_end"] = Date(Instant(data, "trial_end"));
                return templates.Render(message.Kind, fields);
            default:
                var feature = Text(data, "feature");
                fields["feature"] = (await catalog.GetAsync(cancellationToken)).Feature(feature)?.Name ?? feature;
                fields["message"] = Text(data, "message");
                fields["used"] = Number(data, "used");
                fields["limit"] = Number(data, "limit");
                fields["threshold"] = Number(data, "threshold");
                fields["period_end"] = Date(Instant(data, "period_end"));
                fields["projected_at"] = Date(Instant(data, "projected_at"));
                return templates.Render(message.Kind, fields);
        }
    }

    /// <summary>The template's words go first in the invoice's body, so the e-mail reads as a note with the invoice below it.</summary>
    private static string WithIntro(string invoiceHtml, string intro)
    {
        var body = invoiceHtml.IndexOf("<body", StringComparison.Ordinal);
        var at = body < 0 ? -1 : invoiceHtml.IndexOf('>', body);
        return at < 0 ? intro + invoiceHtml : invoiceHtml.Insert(at + 1, "\n" + intro);
    }

    private static string Text(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static string Number(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64().ToString(CultureInfo.InvariantCulture) : "";

    private static string Usd(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? "$" + Core.Llm.NanoUsdAmount.ToUsd(v.GetInt64()).ToString("#,0.00##", CultureInfo.InvariantCulture)
            : "";

    private static DateTimeOffset? Instant(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var at) ? at : null;

    private static string Date(DateTimeOffset? at) => at?.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture) ?? "";
}
