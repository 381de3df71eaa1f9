using Tollgate.Server.Customers;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Web.Admin;

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
        problem ??= ConsoleLists.Read("customers", limit, cursor, out pageRequest);

        var plans = (await catalog.GetAsync(cancellationToken)).Plans.OrderBy(p => p.SortOrder).ThenBy(p => p.Code, StringComparer.Ordinal);
        var found = problem is null ? await lists.CustomersAsync(filter, pageRequest, cancellationToken) : null;
        return AdminLayout.Page<CustomerListPage>(http, new
        {
            User = user,
            data.Product,
            View = new CustomerListView(q, plan, status, problem is null ? limit : null, [.. plans.Select(p => (p.Code, p.Name))], problem, found,
                cursor is null, [("q", q), ("plan", plan), ("status", status), ("limit", limit)]),
        }, status: problem is null ? 200 : 400);
    }
}

/// <summary>
/// The customer list as shown: the filters as typed, the page size to carry (unless it was the refused parameter), the
/// plans to filter by, and the page found, or the problem that stopped the list.
/// </summary>
public sealed record CustomerListView(
    string? Q, string? Plan, string? Status, string? Limit, IReadOnlyList<(string Code, string Name)> Plans, string? Problem,
    Storage.Database.Page<Core.Customers.Customer>? Found, bool OnFirst, (string Key, string? Value)[] Filters);
