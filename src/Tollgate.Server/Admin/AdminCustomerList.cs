using System.Globalization;
using System.Text;
using Tollgate.Server.Customers;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Customers;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>The console's customer list: the filters and keyset pages of <c>GET /v1/customers</c>, newest first, every customer reachable.</summary>
public static class AdminCustomerList
{
    public static RouteGroupBuilder MapAdminCustomerList(this RouteGroupBuilder group)
    {
        group.MapGet("/customers", ListAsync);
        return group;
    }

    /// <summary>q is a prefix of the id, e-mail or name (any case); plan and status are those of the newest subscription, as in the API.</summary>
    private static async Task<IResult> ListAsync(
        HttpContext http, string? q, string? plan, string? status, string? limit, string? cursor, AdminData data, CustomerLists lists, CatalogCache catalog,
        CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        (q, plan, status) = (FormText.Blank(q)?.Trim(), FormText.Blank(plan), FormText.Blank(status));
        var errors = CustomerFilters.Read(q, plan, status, "q", out var filter);
        var problem = errors.Count > 0 ? string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")) : null;
        var pageRequest = Storage.Database.PageRequest.First;
        problem ??= ConsoleLists.Read(limit, cursor, out pageRequest);

        var plans = (await catalog.GetAsync(cancellationToken)).Plans.OrderBy(p => p.SortOrder).ThenBy(p => p.Code, StringComparer.Ordinal);
        var page = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <h1>Customers</h1>
            <form method="get" action="/admin/customers" class="row" role="search">
              <label for="q" class="skip">Search</label>
              <input id="q" name="q" type="search" value="{E(q)}" placeholder="Id, email or name">
              <label for="plan" class="skip">Plan</label>
              <select id="plan" name="plan"><option value="">Any plan</option>{string.Concat(plans.Select(p =>
                  $"<option value=\"{E(p.Code)}\"{(p.Code == plan ? " selected" : "")}>{E(p.Name)}</option>"))}</select>
              <label for="status" class="skip">Status</label>
              <select id="status" name="status"><option value="">Any status</option>{string.Concat(CustomerFilters.SubscriptionStatuses.Select(s =>
                  $"<option value=\"{s}\"{(s == status ? " selected" : "")}>{E(s.Replace('_', ' '))}</option>"))}</select>
              {(limit is null || problem is not null ? "" : $"<input type=\"hidden\" name=\"limit\" value=\"{E(limit)}\">")}
              <button type="submit">Search</button>
            </form>
            """);
        if (problem is not null)
        {
            page.Append(ConsoleLists.Refusal(problem));
            return AdminLayout.Page(http, user, "/admin/customers", "Customers", page.ToString(), data.Product, status: 400);
        }

        var found = await lists.CustomersAsync(filter, pageRequest, cancellationToken);
        page.Append(CultureInfo.InvariantCulture, $"""
            <p class="muted" data-testid="shown">{found.Items.Count} shown, newest first{(found.HasMore ? "; more on the next page" : "")}.</p>
            <div class="table-scroll"><table><thead><tr><th scope="col">Customer</th><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Since</th></tr></thead><tbody>
            """);
        foreach (var c in found.Items)
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr data-customer="{E(c.Id)}"><td><a href="/admin/customers/{Uri.EscapeDataString(c.Id)}">{E(c.Id)}</a></td><td>{E(c.Email)}</td><td>{E(c.Name)}</td>
                <td>{AdminCustomers.Day(c.CreatedAt)}</td></tr>
                """);
        }

        page.Append(found.Items.Count == 0 ? "<tr><td colspan=\"4\" class=\"muted\">No customers match.</td></tr>" : "").Append("</tbody></table></div>");
        page.Append(ConsoleLists.Pager(found, cursor is null, "/admin/customers", ("q", q), ("plan", plan), ("status", status), ("limit", limit)));
        return AdminLayout.Page(http, user, "/admin/customers", "Customers", page.ToString(), data.Product);
    }
}
