using Tollgate.Core.Entitlements;
using System.Globalization;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Grants;
using Tollgate.Core.Llm;
using Tollgate.Server.Grants;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Web.Admin;

/// <summary>Credit grants on a customer's console page: what they have, and a form to grant more.</summary>
public static class AdminGrants
{
    public static RouteGroupBuilder MapAdminGrants(this RouteGroupBuilder group)
    {
        group.MapPost("/customers/{id}/grants", GrantAsync);
        return group;
    }

    /// <summary>
    /// The card's contents: the customer's latest grants, and the features the form grants, with the LLM budget (in USD) when
    /// the catalog has LLM features or the customer's plan has a budget.
    /// </summary>
    public static async Task<GrantsView> ReadAsync(string customer, CatalogSnapshot catalog, bool planHasBudget, CreditGrantStore grants,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var page = (await grants.ListAsync(customer, Tollgate.Storage.Database.PageRequest.First, cancellationToken)).Items;
        var rows = page.Select(g =>
        {
            var budget = g.Feature == LlmBudget.FeatureCode;
            return new GrantRow(budget ? BudgetName : catalog.Feature(g.Feature)?.Name ?? g.Feature, Amount(g.Amount, budget), Amount(g.Remaining, budget),
                g.ExpiresAt is { } at ? AdminCustomers.Day(at) : "never", g.Status(now), g.Reason ?? "");
        });
        IEnumerable<(string, string)> features = catalog.Features.Where(f => f.Kind == FeatureKind.Metered).Select(f => (f.Code, f.Name));
        if (planHasBudget || catalog.Features.Any(f => f.UsesLlm))
        {
            features = features.Append((LlmBudget.FeatureCode, BudgetName));
        }

        return new GrantsView(customer, [.. rows], [.. features], GrantsApi.MaxAmount);
    }

    private static async Task<IResult> GrantAsync(
        string id, HttpContext http, AdminData data, CustomerStore customers, CatalogCache catalog, CreditGrantStore grants, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var form = posted.Form;
        var feature = form["feature"].ToString();
        var now = data.Time.GetUtcNow();
        DateTimeOffset? expires = null;
        if (form["expires_on"].ToString() is { Length: > 0 } day)
        {
            if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                || new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) <= now)
            {
                return PageResults.Message(http, 400, "Check the expiry", "The expiry must be a date after today.");
            }

            expires = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        var reason = form["reason"].ToString();
        if (reason.Length > 500)
        {
            return PageResults.Message(http, 400, "Check the grant", "Reason: at most 500 characters.");
        }

        long amount;
        if (feature == LlmBudget.FeatureCode)
        {
            // The same reading as the API's amount_usd, so the console and the API accept exactly the same amounts.
            var (nano, _, problem) = GrantAmount.Read(new CreateCreditGrantRequest(feature, AmountUsd: form["amount_usd"].ToString().Trim()), budget: true);
            if (problem is not null)
            {
                return PageResults.Message(http, 400, "Check the grant", $"USD (LLM budget): {problem}.");
            }

            amount = nano;
        }
        else if ((await catalog.GetAsync(cancellationToken)).Feature(feature) is not { Kind: FeatureKind.Metered }
            || !long.TryParse(form["amount"], NumberStyles.None, CultureInfo.InvariantCulture, out amount) || amount is < 1 or > GrantsApi.MaxAmount)
        {
            return PageResults.Message(http, 400, "Check the grant", $"Units: choose a metered feature and a whole number of units from 1 to {GrantsApi.MaxAmount:N0}.");
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return PageResults.Message(http, 404, "No such customer", $"There is no customer '{id}'.");
        }

        await grants.CreateAsync(new NewCreditGrant(id, feature, amount, expires, CreditGrant.DefaultPriority, reason.Length == 0 ? null : reason),
            cancellationToken);
        return Results.Redirect($"/admin/customers/{Uri.EscapeDataString(id)}?done=granted");
    }

    private const string BudgetName = "LLM budget (USD)";

    private static string Amount(long amount, bool budget) =>
        budget ? ConsoleMoney.Usd(NanoUsdAmount.ToUsd(amount)) : amount.ToString("N0", CultureInfo.InvariantCulture);
}
