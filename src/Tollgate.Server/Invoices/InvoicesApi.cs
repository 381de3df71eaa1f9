using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Billing;
using Tollgate.Server.Billing;
using Tollgate.Server.Http;
using Tollgate.Server.Web.Invoices;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Invoices;

/// <summary>Invoices: list, read, print, and record payment collected outside Stripe.</summary>
public static class InvoicesApi
{
    public static RouteGroupBuilder MapInvoices(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Invoices").RequireAuthorization(Policies.Secret);
        group.MapGet("/customers/{id}/invoices", ListAsync);
        group.MapGet("/customers/{id}/upcoming-invoice", UpcomingAsync).ProducesProblems(404);
        group.MapGet("/invoices", ListAllAsync).TakesQueryValues("status", Statuses);
        group.MapGet("/invoices/{id}", GetAsync);
        group.MapGet("/invoices/{id}/html", HtmlAsync).ProducesText("text/html");
        group.MapPost("/invoices/{id}/mark-paid", (string id, InvoiceStore invoices, CancellationToken ct) =>
            StatusAsync(invoices.MarkPaidAsync(id, null, ct), id)).ProducesProblems(409).WithIdempotency();
        group.MapPost("/invoices/{id}/void", (string id, InvoiceStore invoices, CancellationToken ct) => StatusAsync(invoices.VoidAsync(id, ct), id))
            .ProducesProblems(409).WithIdempotency();
        group.MapPost("/invoices/{id}/mark-uncollectible", (string id, InvoiceStore invoices, CancellationToken ct) =>
            StatusAsync(invoices.MarkUncollectibleAsync(id, ct), id)).ProducesProblems(409).WithIdempotency();
        return group;
    }

    private static async Task<Results<Ok<InvoiceListResponse>, ProblemHttpResult>> ListAsync(
        string id, string? limit, string? cursor, CustomerStore customers, InvoiceLists lists, InvoiceStore invoices,
        CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("invoices", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        var found = await lists.PageAsync(new InvoiceFilter(Customer: id), page, cancellationToken);
        return TypedResults.Ok(new InvoiceListResponse([.. found.Items.Select(BillingMapper.ToWire)], found.HasMore, found.NextCursor,
            await invoices.BalancesAsync(id, cancellationToken)));
    }

    /// <summary>The invoice the next renewal would issue if it ran now; nothing is written.</summary>
    private static async Task<Results<Ok<InvoiceResponse>, ProblemHttpResult>> UpcomingAsync(
        string id, CustomerStore customers, BillingCycle cycle, CancellationToken cancellationToken)
    {
        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        return await cycle.UpcomingAsync(id, cancellationToken) is { } upcoming
            ? TypedResults.Ok(BillingMapper.ToWire(upcoming))
            : Problems.Create(404, "not_found",
                $"Customer '{id}' has no upcoming invoice: no live subscription that will invoice again (none, canceled, or a trial that ends " +
                "without converting).", new Dictionary<string, object?> { ["resource"] = "upcoming_invoice" });
    }

    private static readonly string[] Statuses = [.. Enum.GetValues<InvoiceStatus>().Where(s => s != InvoiceStatus.Upcoming).Select(s => s.ToWire())];

    /// <summary>Invoices across customers, newest first; from and to bound when each was created (to exclusive, at most 366 days).</summary>
    private static async Task<Results<Ok<ListResponse<InvoiceResponse>>, ProblemHttpResult>> ListAllAsync(
        string? customer, string? status, string? from, string? to, string? limit, string? cursor, InvoiceLists lists,
        CancellationToken cancellationToken)
    {
        var errors = InstantRange.TryParse(from, to, 366, out var range);
        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            errors["status"] = $"must be one of {string.Join(", ", Statuses)}";
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (!Lists.TryRead("invoices", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        var found = await lists.PageAsync(new InvoiceFilter(customer, status, range.From, range.To), page, cancellationToken);
        return TypedResults.Ok(Lists.ToWire(found, BillingMapper.ToWire));
    }

    private static async Task<Results<Ok<InvoiceResponse>, ProblemHttpResult>> GetAsync(
        string id, InvoiceStore invoices, CancellationToken cancellationToken) =>
        await invoices.GetAsync(id, cancellationToken) is { } invoice ? TypedResults.Ok(BillingMapper.ToWire(invoice)) : Problems.NotFound("invoice", id);

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> HtmlAsync(
        string id, InvoiceStore invoices, CustomerStore customers, InvoiceHtml html, CancellationToken cancellationToken)
    {
        var invoice = await invoices.GetAsync(id, cancellationToken);
        if (invoice is null)
        {
            return Problems.NotFound("invoice", id);
        }

        var customer = await customers.GetAsync(invoice.CustomerId, cancellationToken);
        return TypedResults.Text(await html.RenderAsync(invoice, customer, cancellationToken), "text/html; charset=utf-8");
    }

    private static async Task<Results<Ok<InvoiceResponse>, ProblemHttpResult>> StatusAsync(Task<InvoiceStatusResult> change, string id)
    {
        var result = await change;
        if (result.Invoice is null)
        {
            return Problems.NotFound("invoice", id);
        }

        return result.Conflict is { } conflict
            ? Problems.Create(409, "invalid_invoice_status", conflict)
            : TypedResults.Ok(BillingMapper.ToWire(result.Invoice));
    }
}
