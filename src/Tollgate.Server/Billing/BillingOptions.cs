namespace Tollgate.Server.Billing;

/// <summary>Bound from Tollgate:Billing.</summary>
public sealed class BillingOptions
{
    /// <summary>Days a past-due subscription keeps its entitlements.</summary>
    public int GraceDays { get; set; } = 7;

    /// <summary>Days until an invoice sent for manual payment is due; past due after that.</summary>
    public int DaysUntilDue { get; set; } = 30;

    /// <summary>What a trial that ends without a payment method becomes: "activate" (default) or "cancel".</summary>
    public string TrialEndWithoutPaymentMethod { get; set; } = "activate";

    /// <summary>Invoice numbers read PREFIX-YYYY-NNNNNN.</summary>
    public string InvoicePrefix { get; set; } = "TG";

    /// <summary>Who issues the invoices, as printed on them.</summary>
    public SellerOptions Seller { get; set; } = new();

    public TimeSpan Grace => TimeSpan.FromDays(GraceDays);

    public bool CancelTrialsWithoutPaymentMethod => string.Equals(TrialEndWithoutPaymentMethod, "cancel", StringComparison.OrdinalIgnoreCase);
}

public sealed class SellerOptions
{
    /// <summary>The seller's name on invoices; unset, the invoice names the product (Tollgate:Pages:ProductName).</summary>
    public string Name { get; set; } = "";

    /// <summary>Postal address; lines separated by newlines or commas.</summary>
    public string Address { get; set; } = "";

    public string Email { get; set; } = "";

    public string TaxId { get; set; } = "";
}
