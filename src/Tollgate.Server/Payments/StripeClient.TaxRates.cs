using Sdk = Stripe;

namespace Tollgate.Server.Payments;

public sealed partial class StripeClient
{
    /// <summary>
    /// The tax rates an invoice names only by id (a webhook never expands them), read one by one: an invoice has a few.
    /// Named by Stripe's display name and jurisdiction, at the percentage Stripe applied (the effective one under Stripe Tax).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, StripeTaxRate>> TaxRatesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        var rates = new Dictionary<string, StripeTaxRate>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var rate = await CallAsync((client, request) => new Sdk.TaxRateService(client).GetAsync(id, null, request, cancellationToken), null,
                cancellationToken);
            var name = Required(rate.DisplayName, "display_name");
            rates[id] = new StripeTaxRate(id, rate.Jurisdiction is { Length: > 0 } place ? $"{name} ({place})" : name,
                rate.EffectivePercentage ?? rate.Percentage);
        }

        return rates;
    }
}
