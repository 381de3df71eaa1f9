using System.ComponentModel.DataAnnotations;

namespace Tollgate.Contracts;

/// <summary>Creates a tax rate (admin key).</summary>
/// <param name="Id">The operator's id for the rate, e.g. "de_vat_19"; 1-255 letters, digits and . _ : @ + | = -.</param>
/// <param name="Name">The name invoices print, e.g. "VAT" or "Texas sales tax"; 1-100 characters.</param>
/// <param name="Percentage">The rate in percent: above 0, below 100, at most four decimals (19, 6.25, 20.5).</param>
/// <param name="Inclusive">true when prices already hold the tax (EU VAT on consumer prices); false when it is added on top.</param>
/// <param name="Country">ISO 3166-1 alpha-2 code of the customers it applies to, e.g. "DE"; left out, it applies only where set on a customer.</param>
/// <param name="State">A state, county or region within <paramref name="Country"/>, e.g. "TX"; left out, the rate covers the whole country.</param>
public sealed record CreateTaxRateRequest(
    [property: Required] string? Id = null, [property: Required] string? Name = null, [property: Required] decimal? Percentage = null,
    [property: Required] bool? Inclusive = null, string? Country = null, string? State = null);

/// <summary>A tax rate.</summary>
/// <param name="Id">The operator's id for the rate.</param>
/// <param name="Name">The name invoices print.</param>
/// <param name="Percentage">The rate in percent, e.g. 19 or 6.25.</param>
/// <param name="Inclusive">Whether prices already hold the tax.</param>
/// <param name="Country">The country it applies to, if any.</param>
/// <param name="State">The state within the country, if any.</param>
/// <param name="Active">false once deactivated: new invoices no longer apply it; issued ones keep it.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record TaxRateResponse(
    string Id, string Name, decimal Percentage, bool Inclusive, string? Country, string? State, bool Active, DateTimeOffset CreatedAt);

/// <summary>The tax one rate put on an invoice line, as the rate was when the invoice was issued.</summary>
/// <param name="TaxRate">The rate's id.</param>
/// <param name="Name">The rate's name.</param>
/// <param name="Percentage">The rate in percent.</param>
/// <param name="Inclusive">Whether the tax is inside the line's amount (true) or added on top (false).</param>
/// <param name="AmountCents">The tax, in minor units; negative on a credit line.</param>
public sealed record InvoiceTaxAmount(string TaxRate, string Name, decimal Percentage, bool Inclusive, long AmountCents);

/// <summary>One rate's tax over a whole invoice.</summary>
/// <param name="TaxRate">The rate's id.</param>
/// <param name="Name">The rate's name.</param>
/// <param name="Percentage">The rate in percent.</param>
/// <param name="Inclusive">Whether the tax is inside the lines' amounts.</param>
/// <param name="TaxableAmountCents">What the rate was taken on: the lines after discounts, less inclusive tax.</param>
/// <param name="AmountCents">The tax, in minor units.</param>
public sealed record InvoiceTaxBreakdown(string TaxRate, string Name, decimal Percentage, bool Inclusive, long TaxableAmountCents, long AmountCents);
