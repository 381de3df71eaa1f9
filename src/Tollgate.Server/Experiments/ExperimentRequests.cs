using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Experiments;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Experiments;

/// <summary>Checks a create request against the catalog; every problem is named by its JSON path, such as variants[1].prices[0].plan.</summary>
public static class ExperimentRequests
{
    private const int MaxVariants = 10;
    private const int MaxWeight = 10_000;

    public static (IReadOnlyList<ExperimentVariant> Variants, Dictionary<string, string> Errors) Parse(
        CreateExperimentRequest request, CatalogSnapshot catalog)
    {
        var errors = Validate.Errors(("name", request.Name is { Length: >= 1 and <= 200 } && !request.Name.Any(char.IsControl)
            ? null : "must be 1-200 printable characters"));
        var variants = new List<ExperimentVariant>();
        if (request.Variants is not { Count: >= 2 and <= MaxVariants })
        {
            errors["variants"] = $"must list from 2 to {MaxVariants} variants, one of them \"{ExperimentVariant.ControlKey}\"";
            return (variants, errors);
        }

        for (var i = 0; i < request.Variants.Count; i++)
        {
            var at = $"variants[{i}]";
            var v = request.Variants[i];
            if (v is null)
            {
                errors[at] = "must be an object";
                continue;
            }

            if (Validate.Id(v.Key) is { } bad)
            {
                errors[$"{at}.key"] = bad;
            }
            else if (variants.Any(x => x.Key == v.Key))
            {
                errors[$"{at}.key"] = $"'{v.Key}' is listed twice";
            }

            if (v.Weight is not (>= 1 and <= MaxWeight))
            {
                errors[$"{at}.weight"] = $"must be a whole number from 1 to {MaxWeight}";
            }

            var prices = Prices(v, at, catalog, errors);
            if (v.Key == ExperimentVariant.ControlKey && prices.Count > 0)
            {
                errors[$"{at}.prices"] = "the control variant shows the catalog as it is and takes no prices";
            }

            variants.Add(new ExperimentVariant(v.Key ?? "", v.Weight ?? 0, prices));
        }

        if (variants.Count(v => v.IsControl) != 1)
        {
            errors.TryAdd("variants", $"must have exactly one variant with key \"{ExperimentVariant.ControlKey}\"");
        }

        return (variants, errors);
    }

    private static List<VariantPrice> Prices(ExperimentVariantRequest v, string at, CatalogSnapshot catalog, Dictionary<string, string> errors)
    {
        var prices = new List<VariantPrice>();
        for (var j = 0; j < (v.Prices?.Count ?? 0); j++)
        {
            var field = $"{at}.prices[{j}]";
            var p = v.Prices![j];
            if (p is null)
            {
                errors[field] = "must be an object with plan, billing_period and price_cents";
                continue;
            }

            // Every field is checked, so one answer names all that is wrong with a price, as the catalog's does.
            var before = errors.Count;
            var plan = p.Plan is { } code ? catalog.Plan(code) : null;
            if (plan is not { IsActive: true })
            {
                errors[$"{field}.plan"] = $"no active plan '{p.Plan}'";
            }
            else if (plan.IsPrivate)
            {
                // A private plan is never shown on the pricing page, so no visitor could see the variant's price.
                errors[$"{field}.plan"] = $"plan '{plan.Code}' is private: the pricing page never shows it, so no visitor would see this price";
            }

            var known = BillingIntervalNames.TryParse(p.BillingPeriod, out var interval);
            if (!known)
            {
                errors[$"{field}.billing_period"] = $"must be monthly or yearly, not '{p.BillingPeriod}'";
            }
            else if (plan is { IsActive: true } && plan.Current.Terms.Price(interval) is null)
            {
                errors[$"{field}.billing_period"] = $"plan '{plan.Code}' has no {p.BillingPeriod} price";
            }

            if (p.PriceCents is not { } cents || Validate.Amount(cents, 0) is not null)
            {
                errors[$"{field}.price_cents"] = $"must be a whole number of cents from 0 to {QuotaRules.MaxAmount:N0}";
                continue;
            }

            if (errors.Count > before || plan is null)
            {
                continue;
            }

            if (prices.Any(x => x.PlanCode == plan.Code && x.BillingPeriod == interval))
            {
                errors[$"{field}.plan"] = $"'{plan.Code}' {p.BillingPeriod} is listed twice";
                continue;
            }

            prices.Add(new VariantPrice(plan.Code, interval, cents));
        }

        return prices;
    }
}
