using System.Text.Json.Nodes;

namespace Tollgate.Testing;

/// <summary>
/// Tax rates, and invoices Stripe has taxed: each line's <c>taxes</c> and the invoice's <c>total_taxes</c> as basil renders
/// them, naming the rate by id only (as in every webhook), with the totals and the amounts due and paid grown by exclusive tax.
/// </summary>
public sealed partial class FakeStripe
{
    private readonly Dictionary<string, JsonObject> _taxRates = new(StringComparer.Ordinal);

    /// <summary>A tax rate, as made in the dashboard or by Stripe Tax; answers its id (txr_…).</summary>
    public string AddTaxRate(string displayName, decimal percentage, bool inclusive, string? jurisdiction = null)
    {
        lock (_lock)
        {
            var id = NewId("txr");
            _taxRates[id] = new JsonObject
            {
                ["id"] = id, ["object"] = "tax_rate", ["active"] = true, ["display_name"] = displayName, ["percentage"] = percentage,
                ["effective_percentage"] = percentage, ["inclusive"] = inclusive, ["jurisdiction"] = jurisdiction, ["country"] = null,
                ["state"] = null, ["tax_type"] = "vat", ["created"] = Now, ["livemode"] = false, ["metadata"] = new JsonObject(),
            };
            return id;
        }
    }

    /// <summary>
    /// <paramref name="invoice"/> taxed at the rate <paramref name="rateId"/> on every line, as Stripe computes it: exclusive
    /// tax is round(amount × rate), inclusive amount − round(amount ÷ (1 + rate)), half away from zero, per line.
    /// </summary>
    public JsonObject Taxed(JsonObject invoice, string rateId, string taxabilityReason = "standard_rated")
    {
        JsonObject rate;
        lock (_lock)
        {
            rate = _taxRates[rateId];
        }

        var percentage = rate["percentage"]!.GetValue<decimal>();
        var inclusive = rate["inclusive"]!.GetValue<bool>();
        var taxed = (JsonObject)invoice.DeepClone();
        long totalTax = 0, totalTaxable = 0;
        foreach (var line in taxed["lines"]!["data"]!.AsArray().Select(l => l!.AsObject()))
        {
            var amount = line["amount"]!.GetValue<long>();
            var tax = inclusive
                ? amount - (long)Math.Round(amount / (1 + (percentage / 100)), MidpointRounding.AwayFromZero)
                : (long)Math.Round(amount * percentage / 100, MidpointRounding.AwayFromZero);
            var taxable = inclusive ? amount - tax : amount;
            line["taxes"] = new JsonArray(TaxAmount(rateId, tax, taxable, inclusive, taxabilityReason));
            totalTax += tax;
            totalTaxable += taxable;
        }

        taxed["total_taxes"] = new JsonArray(TaxAmount(rateId, totalTax, totalTaxable, inclusive, taxabilityReason));
        // Inclusive tax is inside the amounts; exclusive tax is added to the total and to what is due.
        foreach (var field in new[] { "subtotal_excluding_tax", "total_excluding_tax" })
        {
            taxed[field] = taxed[field]!.GetValue<long>() - (inclusive ? totalTax : 0);
        }

        if (!inclusive)
        {
            foreach (var field in new[] { "total", "amount_due", "amount_paid", "amount_remaining" })
            {
                if (taxed[field]!.GetValue<long>() > 0)
                {
                    taxed[field] = taxed[field]!.GetValue<long>() + totalTax;
                }
            }
        }

        return taxed;
    }

    private static JsonObject TaxAmount(string rateId, long amount, long taxable, bool inclusive, string reason) => new()
    {
        ["amount"] = amount, ["tax_behavior"] = inclusive ? "inclusive" : "exclusive", ["taxability_reason"] = reason, ["taxable_amount"] = taxable,
        ["type"] = "tax_rate_details", ["tax_rate_details"] = new JsonObject { ["tax_rate"] = rateId },
    };

    private (int, string) RetrieveTaxRate(string id) => _taxRates.TryGetValue(id, out var rate)
        ? (200, rate.ToJsonString())
        : Error(404, "invalid_request_error", "resource_missing", "id", $"No such tax_rate: '{id}'");
}
