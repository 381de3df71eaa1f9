using System.Text.RegularExpressions;
using Tollgate.Core.Billing;

namespace Tollgate.Server.Web.Invoices;

/// <summary>
/// An invoice line as a customer reads it. Billing writes a plan's code into the lines it makes ("pro (monthly)",
/// "Unused time on basic (monthly)"), and an issued invoice never changes; the pages put the plan's name in its place.
/// </summary>
public static class LineWords
{
    /// <summary>The kinds whose description names the line's plan by its code.</summary>
    private static readonly HashSet<InvoiceLineKind> NamePlans = [InvoiceLineKind.Recurring, InvoiceLineKind.ProrationCredit, InvoiceLineKind.ProrationCharge];

    public static string Describe(InvoiceLine line, Func<string, string?> planName)
    {
        if (!NamePlans.Contains(line.Kind) || line.PlanCode is not { Length: > 0 } code || planName(code) is not { Length: > 0 } name || name == code)
        {
            return line.Description;
        }

        // The code as a word of its own, so "pro" is not replaced inside "promo" or "pro-team".
        var at = Regex.Match(line.Description, $@"(?<![\w-]){Regex.Escape(code)}(?![\w-])", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return at.Success ? line.Description[..at.Index] + name + line.Description[(at.Index + code.Length)..] : line.Description;
    }
}

/// <summary>Tax as invoices print it, one wording for the PDF, the printable invoice, the portal and the console.</summary>
/// <summary>What an invoice's PDF and printable page say about paying it.</summary>
public static class InvoiceWords
{
    /// <summary>
    /// The PDF's and printable page's payment note, or null when the invoice asks for nothing. An uncollectible invoice
    /// may still be paid, but is no longer charged or chased.
    /// </summary>
    public static string? PaymentNote(Invoice invoice) => !invoice.AsksForPayment ? null
        : invoice.Status == InvoiceStatus.Uncollectible ? "This invoice was marked uncollectible; it can still be paid, quoting the invoice number."
        : invoice.CollectionMethod == Tollgate.Core.Customers.CollectionMethod.SendInvoice ? "Please pay by the due date, quoting the invoice number."
        : "This invoice is charged to your payment method on file.";
}

/// <summary>
/// A discount's row. Off a charge it lowers the total ("Discount", -$2.50). On a credit for unused time bought at a
/// discount it makes the credit smaller, so it raises the total: that row says so and carries a plus sign, where
/// "Discounts $3.63" read as money taken off.
/// </summary>
public static class DiscountWords
{
    public static string Label(long discountCents, string word = "Discount") => discountCents < 0 ? $"{word} on credited time" : word;

    /// <summary>The row's amount as it changes the total, formatted by <paramref name="format"/>.</summary>
    public static string Amount(long discountCents, Func<long, string> format) =>
        discountCents < 0 ? "+" + format(-discountCents) : format(-discountCents);
}

public static class TaxWords
{
    public const string ReverseCharge = "Reverse charge: VAT is to be accounted for by the recipient.";

    /// <summary>"VAT 20%", or "MwSt. 19% (included)" for a rate already inside the prices.</summary>
    public static string Label(string name, decimal percentage, bool inclusive) =>
        $"{name} {percentage.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}%{(inclusive ? " (included)" : "")}";
}
