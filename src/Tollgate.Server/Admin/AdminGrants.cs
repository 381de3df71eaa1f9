using System.Globalization;
using System.Text;
using Tollgate.Core.Catalog;
using Tollgate.Core.Grants;
using Tollgate.Server.Grants;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Grants;
using static Tollgate.Server.Pages.Html;

namespace Tollgate.Server.Admin;

/// <summary>Credit grants on a customer's console page: what they have, and a form to grant more.</summary>
public static class AdminGrants
{
    public static RouteGroupBuilder MapAdminGrants(this RouteGroupBuilder group)
    {
        group.MapPost("/customers/{id}/grants", GrantAsync);
        return group;
    }

    /// <summary>The card: the customer's latest grants and the grant form.</summary>
    public static async Task<string> SectionAsync(
        AdminUser user, string customer, CatalogSnapshot catalog, CreditGrantStore grants, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var page = (await grants.ListAsync(customer, Tollgate.Storage.Database.PageRequest.First, cancellationToken)).Items;
        var html = new StringBuilder("<section class=\"card stack\" aria-labelledby=\"grants\"><h2 id=\"grants\">Credit grants</h2>");
        html.Append(page.Count == 0 ? "<p class=\"muted\">None.</p>" : "<div class=\"table-scroll\"><table data-testid=\"grants\"><thead><tr><th scope=\"col\">Feature</th><th scope=\"col\" class=\"num\">Granted</th><th scope=\"col\" class=\"num\">Left</th><th scope=\"col\">Expires</th><th scope=\"col\">Status</th><th scope=\"col\">Reason</th></tr></thead><tbody>");
        foreach (var g in page)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(catalog.Feature(g.Feature)?.Name ?? g.Feature)}</td><td class=\"num\">{g.Amount:N0}</td><td class=\"num\">{g.Remaining:N0}</td><td>{(g.ExpiresAt is { } at ? AdminCustomers.Day(at) : "never")}</td><td>{E(g.Status(now))}</td><td>{E(g.Reason ?? "")}</td></tr>");
        }

        html.Append(page.Count == 0 ? "" : "</tbody></table></div>");
        var options = string.Concat(catalog.Features.Where(f => f.Kind == FeatureKind.Metered)
            .Select(f => $"<option value=\"{E(f.Code)}\">{E(f.Name)}</option>"));
        html.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="/admin/customers/{Uri.EscapeDataString(customer)}/grants" class="stack">{CsrfField(user.Csrf)}
              <div class="row"><label for="grant-feature">Feature</label><select id="grant-feature" name="feature" required>{options}</select>
              <label for="grant-amount">Units</label><input id="grant-amount" name="amount" type="number" min="1" max="{GrantsApi.MaxAmount}" required></div>
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
        if ((await catalog.GetAsync(cancellationToken)).Feature(feature) is not { Kind: FeatureKind.Metered }
            || !long.TryParse(form["amount"], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount is < 1 or > GrantsApi.MaxAmount
            || reason.Length > 500)
        {
            return Message(http, 400, "Check the grant", $"Choose a metered feature and a whole number of units from 1 to {GrantsApi.MaxAmount:N0}.");
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Message(http, 404, "No such customer", $"There is no customer '{id}'.");
        }

        await grants.CreateAsync(new NewCreditGrant(id, feature, amount, expires, CreditGrant.DefaultPriority, reason.Length == 0 ? null : reason),
            cancellationToken);
        return Results.Redirect($"/admin/customers/{Uri.EscapeDataString(id)}?done=granted");
    }
}
