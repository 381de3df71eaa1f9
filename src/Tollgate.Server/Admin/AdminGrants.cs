using System.Globalization;
using System.Text;
using Tollgate.Client.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Grants;
using Tollgate.Core.Llm;
using Tollgate.Server.Grants;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Entitlements;
using Tollgate.Storage.Grants;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>Credit grants on a customer's console page: what they have, and a form to grant more.</summary>
public static class AdminGrants
{
    public static RouteGroupBuilder MapAdminGrants(this RouteGroupBuilder group)
    {
        group.MapPost("/customers/{id}/grants", GrantAsync);
        return group;
    }

    /// <summary>
    /// The card: the customer's latest grants and the grant form, which offers the LLM budget (in USD) when the catalog has
    /// LLM features or the customer's plan has a budget.
    /// </summary>
    public static async Task<string> SectionAsync(AdminUser user, string customer, CatalogSnapshot catalog, bool planHasBudget, CreditGrantStore grants,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var page = (await grants.ListAsync(customer, Tollgate.Storage.Database.PageRequest.First, cancellationToken)).Items;
        var html = new StringBuilder("<section class=\"card stack\" aria-labelledby=\"grants\"><h2 id=\"grants\">Credit grants</h2>");
        html.Append(page.Count == 0 ? "<p class=\"muted\">None.</p>" : "<div class=\"table-scroll\"><table data-testid=\"grants\"><thead><tr><th scope=\"col\">Feature</th><th scope=\"col\" class=\"num\">Granted</th><th scope=\"col\" class=\"num\">Left</th><th scope=\"col\">Expires</th><th scope=\"col\">Status</th><th scope=\"col\">Reason</th></tr></thead><tbody>");
        foreach (var g in page)
        {
            var budget = g.Feature == LlmBudget.FeatureCode;
            var name = budget ? BudgetName : catalog.Feature(g.Feature)?.Name ?? g.Feature;
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(name)}</td><td class=\"num\">{Amount(g.Amount, budget)}</td><td class=\"num\">{Amount(g.Remaining, budget)}</td><td>{(g.ExpiresAt is { } at ? AdminCustomers.Day(at) : "never")}</td><td>{E(g.Status(now))}</td><td>{E(g.Reason ?? "")}</td></tr>");
        }

        html.Append(page.Count == 0 ? "" : "</tbody></table></div>");
        var options = string.Concat(catalog.Features.Where(f => f.Kind == FeatureKind.Metered)
            .Select(f => $"<option value=\"{E(f.Code)}\">{E(f.Name)}</option>"))
            + (planHasBudget || catalog.Features.Any(f => f.UsesLlm) ? $"<option value=\"{E(LlmBudget.FeatureCode)}\">{BudgetName}</option>" : "");
        html.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="/admin/customers/{Uri.EscapeDataString(customer)}/grants" class="stack">{CsrfField(user.Csrf)}
              <div class="row"><label for="grant-feature">Feature</label><select id="grant-feature" name="feature" required>{options}</select>
              <label for="grant-amount">Units</label><input id="grant-amount" name="amount" type="number" min="1" max="{GrantsApi.MaxAmount}">
              <label for="grant-usd">USD (LLM budget)</label><input id="grant-usd" name="amount_usd" inputmode="decimal" placeholder="5.00"></div>
              <div class="row"><label for="grant-expires">Expires on (UTC, optional)</label><input id="grant-expires" name="expires_on" type="date">
              <label for="grant-reason">Reason</label><input id="grant-reason" name="reason" maxlength="500"></div>
              <button type="submit">Grant credits</button>
            </form></section>
            """);
        return html.ToString();
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
                return Message(http, 400, "Check the expiry", "The expiry must be a date after today.");
            }

            expires = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        var reason = form["reason"].ToString();
        if (reason.Length > 500)
        {
            return Message(http, 400, "Check the grant", "Reason: at most 500 characters.");
        }

        long amount;
        if (feature == LlmBudget.FeatureCode)
        {
            // The same reading as the API's amount_usd, so the console and the API accept exactly the same amounts.
            var (nano, _, problem) = GrantAmount.Read(new CreateCreditGrantRequest(feature, AmountUsd: form["amount_usd"].ToString().Trim()), budget: true);
            if (problem is not null)
            {
                return Message(http, 400, "Check the grant", $"USD (LLM budget): {problem}.");
            }

            amount = nano;
        }
        else if ((await catalog.GetAsync(cancellationToken)).Feature(feature) is not { Kind: FeatureKind.Metered }
            || !long.TryParse(form["amount"], NumberStyles.None, CultureInfo.InvariantCulture, out amount) || amount is < 1 or > GrantsApi.MaxAmount)
        {
            return Message(http, 400, "Check the grant", $"Units: choose a metered feature and a whole number of units from 1 to {GrantsApi.MaxAmount:N0}.");
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Message(http, 404, "No such customer", $"There is no customer '{id}'.");
        }

        await grants.CreateAsync(new NewCreditGrant(id, feature, amount, expires, CreditGrant.DefaultPriority, reason.Length == 0 ? null : reason),
            cancellationToken);
        return Results.Redirect($"/admin/customers/{Uri.EscapeDataString(id)}?done=granted");
    }

    private const string BudgetName = "LLM budget (USD)";

    private static string Amount(long amount, bool budget) =>
        budget ? ConsoleMoney.Usd(NanoUsdAmount.ToUsd(amount)) : amount.ToString("N0", CultureInfo.InvariantCulture);
}
