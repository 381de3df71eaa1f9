using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Server.Http;
using Tollgate.Server.Billing;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Invoices;

/// <summary>An invoice's and a credit note's PDF, behind the same key as their JSON.</summary>
public static class InvoicePdfApi
{
    public static RouteGroupBuilder MapInvoicePdfs(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Invoices").RequireAuthorization(Policies.Secret);
        group.MapGet("/invoices/{id}/pdf", InvoiceAsync).ProducesBinary(InvoicePdf.ContentType).ProducesProblems(404);
        group.MapGet("/credit-notes/{id}/pdf", CreditNoteAsync).ProducesBinary(InvoicePdf.ContentType).ProducesProblems(404);
        return group;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> InvoiceAsync(
        string id, InvoiceStore invoices, CustomerStore customers, InvoicePdf pdf, CancellationToken cancellationToken)
    {
        if (await invoices.GetAsync(id, cancellationToken) is not { } invoice)
        {
            return Problems.NotFound("invoice", id);
        }

        var customer = await customers.GetAsync(invoice.CustomerId, cancellationToken);
        return TypedResults.File(await pdf.InvoiceAsync(invoice, customer, cancellationToken), InvoicePdf.ContentType,
            InvoicePdf.FileName("invoice", invoice.Number ?? invoice.Id));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> CreditNoteAsync(
        string id, CreditNoteStore notes, InvoicePdf pdf, CancellationToken cancellationToken)
    {
        if (await notes.GetAsync(id, cancellationToken) is not { } note || await pdf.CreditNoteAsync(note, cancellationToken) is not { } bytes)
        {
            return Problems.NotFound("credit note", id);
        }

        return TypedResults.File(bytes, InvoicePdf.ContentType, InvoicePdf.FileName("credit-note", note.Number));
    }
}
