using System.Globalization;

namespace Tollgate.Core.Billing;

/// <summary>Sequential per year, assigned at finalization so drafts leave no gaps: TG-2026-000042.</summary>
public static class InvoiceNumber
{
    public static string Format(string prefix, int year, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{year:D4}-{sequence:D6}");
}
