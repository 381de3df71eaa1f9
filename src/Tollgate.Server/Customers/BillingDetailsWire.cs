using Tollgate.Contracts;
using Tollgate.Core.Customers;

namespace Tollgate.Server.Customers;

/// <summary>A customer's billing details between the wire and the domain: the checks that name the bad field, and the mapping.</summary>
public static class BillingDetailsWire
{
    private const int MaxTaxIds = 5;
    private const int MaxFieldLength = 200;

    /// <summary>Adds a problem per bad field to <paramref name="errors"/>, named as the wire names it (address.country, tax_ids[1].type).</summary>
    public static void Validate(UpsertCustomerRequest request, Dictionary<string, string> errors)
    {
        if (request.Address is { } address)
        {
            foreach (var (field, value) in new[]
            {
                ("line1", address.Line1), ("line2", address.Line2), ("city", address.City), ("postal_code", address.PostalCode), ("state", address.State),
            })
            {
                if (value is { Length: > MaxFieldLength })
                {
                    errors[$"address.{field}"] = $"must be at most {MaxFieldLength} characters";
                }
            }

            if (!CountryCodes.IsAssigned(address.Country))
            {
                errors["address.country"] = address.Country is null
                    ? "is required: an ISO 3166-1 alpha-2 code such as \"DE\""
                    : $"'{address.Country}' is not an ISO 3166-1 alpha-2 code (two upper-case letters, such as \"DE\" or \"US\")";
            }
        }

        if (request.TaxIds is { } taxIds)
        {
            if (taxIds.Count > MaxTaxIds)
            {
                errors["tax_ids"] = $"must have at most {MaxTaxIds} entries";
            }

            for (var i = 0; i < taxIds.Count; i++)
            {
                if (taxIds[i] is not { } taxId)
                {
                    errors[$"tax_ids[{i}]"] = "must be an object with type and value";
                    continue;
                }

                if (!TaxIdTypes.IsKnown(taxId.Type))
                {
                    errors[$"tax_ids[{i}].type"] = $"'{taxId.Type}' is not a known tax id type (Stripe's list, such as eu_vat, gb_vat or us_ein)";
                }

                if (string.IsNullOrWhiteSpace(taxId.Value) || taxId.Value.Length > 50)
                {
                    errors[$"tax_ids[{i}].value"] = "must be 1-50 characters";
                }
            }
        }

        if (request.TaxRates is { } rates)
        {
            if (rates.Count > MaxTaxIds)
            {
                errors["tax_rates"] = $"must have at most {MaxTaxIds} entries";
            }

            for (var i = 0; i < rates.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(rates[i]))
                {
                    errors[$"tax_rates[{i}]"] = "must be a tax rate's id";
                }
            }
        }

        if (request.Currency is { } currency && Core.Money.Currency.Canonical(currency) is null)
        {
            errors["currency"] = "must be a three-letter ISO 4217 code, such as \"EUR\" or \"eur\"";
        }

        if (request.TaxExempt is { } exempt && !TaxExemptions.IsKnown(exempt))
        {
            errors["tax_exempt"] = $"must be one of {string.Join(", ", TaxExemptions.All)}";
        }
    }

    /// <summary>The change to store; call after <see cref="Validate"/> found nothing.</summary>
    public static BillingDetailsChange ToChange(UpsertCustomerRequest request) => new(
        request.Address is { } a ? new PostalAddress(Blank(a.Line1), Blank(a.Line2), Blank(a.City), Blank(a.PostalCode), Blank(a.State), a.Country!) : null,
        request.TaxIds is { } ids ? [.. ids.Select(t => new CustomerTaxId(t.Type, t.Value.Trim()))] : null,
        request.TaxExempt,
        request.TaxRates is { } rates ? [.. rates.Distinct(StringComparer.Ordinal)] : null,
        // Stored in capitals, as plan prices have it, whichever case was sent.
        Core.Money.Currency.Canonical(request.Currency));

    public static CustomerAddress? ToWire(PostalAddress? a) =>
        a is null ? null : new CustomerAddress(a.Line1, a.Line2, a.City, a.PostalCode, a.State, a.Country);

    public static IReadOnlyList<CustomerTaxIdEntry> ToWire(IReadOnlyList<CustomerTaxId> taxIds) => [.. taxIds.Select(t => new CustomerTaxIdEntry(t.Type, t.Value))];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
