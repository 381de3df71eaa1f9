using Tollgate.Core.Billing;
using Tollgate.Server.Http;
using Tollgate.Server.Invoices;
using Tollgate.Server.Web.Invoices;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Web.Admin;

/// <summary>
/// The console's invoices: the list with the filters and keyset pages of <c>GET /v1/invoices</c>, an invoice's page, and
/// Mark paid and Void, which call the same store methods as <c>POST /v1/invoices/{id}/mark-paid</c> and <c>/void</c>,
/// so an operator who collects outside Stripe needs no curl.
/// </summary>
public static class AdminInvoices
{
    /// <summary>Every status an invoice may have, in the API's words, for the filter and for checking it.</summary>
    public static readonly IReadOnlyList<string> Statuses = [.. Enum.GetValues<InvoiceStatus>().Select(s => s.ToWire())];

    public static RouteGroupBuilder MapAdminInvoices(this RouteGroupBuilder group)
    {
        group.MapGet("/invoices", ListAsync);
        group.MapGet("/invoices/{id}", DetailAsync);
        group.MapGet("/invoices/{id}/print", PrintAsync);
        group.MapGet("/invoices/{id}/pdf", PdfAsync);
        // The action is checked in the handler, not by a regex route constraint: that compiled a regex at every host's start.
        group.MapPost("/invoices/{id}/{action}", ChangeAsync);
        return group;
    }

    /// <summary>The link to an invoice's console page.</summary>
    public static string Href(string id) => $"/admin/invoices/{Uri.EscapeDataString(id)}";

    private static async Task<IResult> ListAsync(
        HttpContext http, string? status, string? customer, string? limit, string? cursor, AdminData data, InvoiceLists lists,
        CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        (status, customer) = (FormText.Blank(status), FormText.Blank(customer)?.Trim());
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            errors["status"] = $"must be one of {string.Join(", ", Statuses)}"; // the API's words for the same parameter
        }

        if (customer is not null && Validate.Id(customer) is { } bad)
        {
            errors["customer"] = bad;
        }

        var problem = errors.Count > 0 ? string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")) : null;
        var pageRequest = PageRequest.First;
        problem ??= ConsoleLists.Read("invoices", limit, cursor, out pageRequest);
        var found = problem is null ? await lists.PageAsync(new InvoiceFilter(customer, status), pageRequest, cancellationToken) : null;
        return AdminLayout.Page<InvoicesPage>(http, new
        {
            User = user,
            data.Product,
            View = new InvoiceListView(status, customer, problem is null ? limit : null, problem, found, cursor is null,
                [("status", status), ("customer", customer), ("limit", limit)]),
        }, status: problem is null ? 200 : 400);
    }

    private static async Task<IResult> DetailAsync(
        string id, string? done, HttpContext http, AdminData data, InvoiceStore invoices, CustomerStore customers, CatalogCache catalog,
        CreditNoteStore creditNotes, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        if (await invoices.GetAsync(id, cancellationToken) is not { } invoice)
        {
            return PageResults.Message(http, 404, "No such invoice", $"There is no invoice '{id}'.");
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        return AdminLayout.Page<InvoicePage>(http, new
        {
            User = user,
            data.Product,
            Invoice = invoice,
            Customer = await customers.GetAsync(invoice.CustomerId, cancellationToken),
            Done = done switch { null => null, "paid" => "The invoice was marked paid.", _ => "The invoice was voided." },
            PlanName = (Func<string, string?>)(code => snapshot.Plan(code)?.Name),
            CreditNotes = await creditNotes.ForInvoiceAsync(invoice.Id, cancellationToken),
        });
    }

    /// <summary>The printable invoice, as the customer's portal shows it, under the console's session.</summary>
    private static async Task<IResult> PrintAsync(
        string id, HttpContext http, AdminData data, InvoiceStore invoices, CustomerStore customers, InvoiceHtml html, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is null)
        {
            return AdminLayout.SignIn();
        }

        if (await invoices.GetAsync(id, cancellationToken) is not { } invoice)
        {
            return PageResults.Message(http, 404, "No such invoice", $"There is no invoice '{id}'.");
        }

        PrintableInvoice.Secure(http);
        return Results.Content(await html.RenderAsync(invoice, await customers.GetAsync(invoice.CustomerId, cancellationToken),
            $"{Href(invoice.Id)}/pdf", cancellationToken), "text/html; charset=utf-8");
    }

    /// <summary>The invoice's PDF, as GET /v1/invoices/{id}/pdf answers it, under the console's session.</summary>
    private static async Task<IResult> PdfAsync(
        string id, HttpContext http, AdminData data, InvoiceStore invoices, CustomerStore customers, InvoicePdf pdf,
        CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is null)
        {
            return AdminLayout.SignIn();
        }

        if (await invoices.GetAsync(id, cancellationToken) is not { } invoice)
        {
            return PageResults.Message(http, 404, "No such invoice", $"There is no invoice '{id}'.");
        }

        http.Response.Headers.CacheControl = "no-store";
        return Results.File(await pdf.InvoiceAsync(invoice, await customers.GetAsync(invoice.CustomerId, cancellationToken), cancellationToken),
            InvoicePdf.ContentType, InvoicePdf.FileName("invoice", invoice.Number ?? invoice.Id));
    }

    private static async Task<IResult> ChangeAsync(string id, string action, HttpContext http, AdminData data, InvoiceStore invoices,
        CancellationToken cancellationToken)
    {
        if (action is not ("mark-paid" or "void"))
        {
            return Results.NotFound();
        }

        if (await data.Session.PostedAsync(http, cancellationToken) is null)
        {
            return AdminLayout.SignIn();
        }

        // The API's mark-paid is idempotent; a second click in the console read "marked paid" as if it had just been paid.
        if (action == "mark-paid" && await invoices.GetAsync(id, cancellationToken) is { Status: InvoiceStatus.Paid } paid)
        {
            return PageResults.Message(http, 409, "The invoice was not changed", $"Invoice {paid.Number ?? paid.Id} is already paid.");
        }

        var result = action == "void" ? await invoices.VoidAsync(id, cancellationToken) : await invoices.MarkPaidAsync(id, null, cancellationToken);
        return result switch
        {
            { Invoice: null } => PageResults.Message(http, 404, "No such invoice", $"There is no invoice '{id}'."),
            { Conflict: { } conflict } => PageResults.Message(http, 409, "The invoice was not changed", conflict),
            _ => Results.Redirect($"{Href(id)}?done={(action == "void" ? "voided" : "paid")}"),
        };
    }
}

/// <summary>The invoice list as shown: the filters as typed, and the page found or the problem that stopped the list.</summary>
public sealed record InvoiceListView(
    string? Status, string? Customer, string? Limit, string? Problem, Page<Invoice>? Found, bool OnFirst, (string Key, string? Value)[] Filters);
