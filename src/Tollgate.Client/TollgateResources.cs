using Tollgate.Contracts;

namespace Tollgate.Client;

/// <summary>Customers, under the names the Python and TypeScript SDKs use (<c>customers.upsert</c>, <c>customers.get</c>).</summary>
public sealed class CustomersResource(TollgateClient client)
{
    /// <summary>Creates or updates a customer; create each one at sign-up, before checking or consuming for it.</summary>
    public Task<CustomerResponse> UpsertAsync(string id, UpsertCustomerRequest? request = null, CancellationToken cancellationToken = default) =>
        client.UpsertCustomerAsync(id, request ?? new UpsertCustomerRequest(), cancellationToken);

    /// <summary>Reads a customer; an unknown id throws <see cref="TollgateNotFoundException"/>.</summary>
    public Task<CustomerResponse> GetAsync(string id, CancellationToken cancellationToken = default) =>
        client.GetCustomerAsync(id, cancellationToken);

    /// <summary>One page of customers, newest first, filtered by <paramref name="query"/>.</summary>
    public Task<ListResponse<CustomerResponse>> ListAsync(
        CustomerListQuery? query = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<CustomerResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/customers", ("query", query?.Query),
            ("plan", query?.Plan), ("status", query?.Status), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Every customer that matches, page after page: <c>await foreach (var c in client.Customers.ListAllAsync())</c>.</summary>
    public IAsyncEnumerable<CustomerResponse> ListAllAsync(CustomerListQuery? query = null, CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(query, TollgatePaging.MaxLimit, cursor, ct), cancellationToken);

    /// <summary>
    /// GDPR erasure: cancels a live subscription at once (<paramref name="prorate"/> credits the unused time;
    /// <paramref name="billUsage"/> false waives the period's usage instead of billing it), erases the personal data, keeps the id.
    /// </summary>
    public Task<CustomerDeletedResponse> DeleteAsync(string id, bool? prorate = null, bool? billUsage = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<CustomerDeletedResponse>(HttpMethod.Delete,
            TollgatePaging.Path($"v1/customers/{TollgateClient.Segment(id)}", ("prorate", prorate), ("bill_usage", billUsage)), null, cancellationToken);

    /// <summary>
    /// Mints a customer session token for the signed-in customer, for the app's own front end (the React package's
    /// <c>getSession</c>): it reads only this customer's entitlements, usage, alerts and invoices and starts its checkout,
    /// portal and pack purchase. It lasts 15 minutes unless <paramref name="ttlSeconds"/> (60 to 86,400) says otherwise.
    /// Never hand a secret key to a browser; hand it this.
    /// </summary>
    public Task<CustomerSessionResponse> CreateSessionAsync(string id, int? ttlSeconds = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<CustomerSessionResponse>(HttpMethod.Post, $"v1/customers/{TollgateClient.Segment(id)}/sessions",
            new CreateCustomerSessionRequest(ttlSeconds), cancellationToken);

    /// <summary>Revokes every live session of the customer at once (after a password change, say); answers how many were live.</summary>
    public Task<CustomerSessionsRevokedResponse> RevokeSessionsAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<CustomerSessionsRevokedResponse>(HttpMethod.Delete, $"v1/customers/{TollgateClient.Segment(id)}/sessions", null, cancellationToken);

    /// <summary>Revokes one customer session at once; an unknown or already revoked one throws <see cref="TollgateNotFoundException"/>.</summary>
    public Task<CustomerSessionsRevokedResponse> RevokeSessionAsync(string id, string sessionId, CancellationToken cancellationToken = default) =>
        client.SendAsync<CustomerSessionsRevokedResponse>(HttpMethod.Delete,
            $"v1/customers/{TollgateClient.Segment(id)}/sessions/{TollgateClient.Segment(sessionId)}", null, cancellationToken);

    /// <summary>GDPR access: everything stored about the customer as one JSON document.</summary>
    public Task<System.Text.Json.Nodes.JsonObject> ExportAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<System.Text.Json.Nodes.JsonObject>(HttpMethod.Get, $"v1/customers/{TollgateClient.Segment(id)}/export", null, cancellationToken);
}

/// <summary>Subscriptions: <c>subscriptions.create/change/cancel/preview</c> in the other SDKs.</summary>
public sealed class SubscriptionsResource(TollgateClient client)
{
    /// <summary>Puts a customer on a plan.</summary>
    public Task<SubscriptionResponse> CreateAsync(CreateSubscriptionRequest request, CancellationToken cancellationToken = default) =>
        client.CreateSubscriptionAsync(request, cancellationToken);

    /// <summary>Reads one subscription; an unknown id throws <see cref="TollgateNotFoundException"/>.</summary>
    public Task<SubscriptionResponse> GetAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<SubscriptionResponse>(HttpMethod.Get, $"v1/subscriptions/{TollgateClient.Segment(id)}", null, cancellationToken);

    /// <summary>Moves a subscription to another plan or billing period.</summary>
    public Task<SubscriptionChangeResponse> ChangeAsync(string id, ChangeSubscriptionRequest request, CancellationToken cancellationToken = default) =>
        client.ChangeSubscriptionAsync(id, request, cancellationToken);

    /// <summary>What a change would do, changing nothing.</summary>
    public Task<SubscriptionChangeResponse> PreviewAsync(string id, ChangeSubscriptionRequest request, CancellationToken cancellationToken = default) =>
        client.PreviewSubscriptionChangeAsync(id, request, cancellationToken);

    /// <summary>
    /// Cancels at the period's end by default, or now. The request's <see cref="CancelSubscriptionRequest.Reason"/> and
    /// <see cref="CancelSubscriptionRequest.Comment"/> are kept as the subscription's <c>CancelReason</c> and <c>CancelComment</c>;
    /// another reason or a comment past 1000 characters is a 400 validation_failed and nothing is canceled.
    /// </summary>
    public Task<SubscriptionChangeResponse> CancelAsync(string id, CancelSubscriptionRequest? request = null, CancellationToken cancellationToken = default) =>
        client.CancelSubscriptionAsync(id, request, cancellationToken);

    /// <summary>Takes back a cancel scheduled for the period's end, clearing its reason and comment.</summary>
    public Task<SubscriptionResponse> UndoCancelAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<SubscriptionResponse>(HttpMethod.Post, $"v1/subscriptions/{TollgateClient.Segment(id)}/undo-cancel", null, cancellationToken);

    /// <summary>One page of subscriptions, newest first, filtered by <paramref name="query"/>.</summary>
    public Task<ListResponse<SubscriptionResponse>> ListAsync(
        SubscriptionListQuery? query = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<SubscriptionResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/subscriptions", ("customer", query?.Customer),
            ("status", query?.Status), ("plan", query?.Plan), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Every subscription that matches, page after page.</summary>
    public IAsyncEnumerable<SubscriptionResponse> ListAllAsync(SubscriptionListQuery? query = null, CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(query, TollgatePaging.MaxLimit, cursor, ct), cancellationToken);

    /// <summary>Seats on a per-seat price: more at once with proration, fewer at the period end unless asked otherwise.</summary>
    public Task<SubscriptionChangeResponse> ChangeSeatsAsync(string id, ChangeSeatsRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<SubscriptionChangeResponse>(HttpMethod.Post, $"v1/subscriptions/{TollgateClient.Segment(id)}/seats", request, cancellationToken);

    /// <summary>The subscription's discount; <see cref="TollgateNotFoundException"/> when it has none.</summary>
    public Task<DiscountResponse> GetDiscountAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<DiscountResponse>(HttpMethod.Get, $"v1/subscriptions/{TollgateClient.Segment(id)}/discount", null, cancellationToken);

    /// <summary>Applies a promotion code or coupon, replacing the discount it had; <see cref="PromotionCodeInvalidException"/> when it cannot apply.</summary>
    public Task<DiscountResponse> ApplyDiscountAsync(string id, ApplyDiscountRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<DiscountResponse>(HttpMethod.Post, $"v1/subscriptions/{TollgateClient.Segment(id)}/discount", request, cancellationToken);

    /// <summary>Removes the discount; invoices already issued keep theirs.</summary>
    public Task<DeletedResponse> RemoveDiscountAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<DeletedResponse>(HttpMethod.Delete, $"v1/subscriptions/{TollgateClient.Segment(id)}/discount", null, cancellationToken);
}

/// <summary>Invoices: <c>invoices.list/get/pdf</c> in the other SDKs.</summary>
public sealed class InvoicesResource(TollgateClient client)
{
    /// <summary>One page of the customer's invoices, newest first, with its credit balance.</summary>
    public Task<InvoiceListResponse> ListAsync(string customer, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.ListInvoicesAsync(customer, limit, cursor, cancellationToken);

    /// <summary>One page of invoices across customers, newest first, filtered by <paramref name="query"/>.</summary>
    public Task<ListResponse<InvoiceResponse>> ListAsync(
        InvoiceListQuery query, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<InvoiceResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/invoices", ("customer", query.Customer),
            ("status", query.Status), ("from", query.From), ("to", query.To), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Every invoice that matches, page after page.</summary>
    public IAsyncEnumerable<InvoiceResponse> ListAllAsync(InvoiceListQuery? query = null, CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(query ?? new InvoiceListQuery(), TollgatePaging.MaxLimit, cursor, ct),
            cancellationToken);

    /// <summary>
    /// The invoice the customer's next renewal would issue if it ran now (the fee, usage and overage to date, the discount and
    /// credit), with status <c>upcoming</c> and no number; nothing is written. A customer without a live subscription that
    /// invoices again is a <see cref="TollgateNotFoundException"/> whose Resource is <c>upcoming_invoice</c>.
    /// </summary>
    public Task<InvoiceResponse> UpcomingAsync(string customer, CancellationToken cancellationToken = default) =>
        client.SendAsync<InvoiceResponse>(HttpMethod.Get, $"v1/customers/{TollgateClient.Segment(customer)}/upcoming-invoice", null, cancellationToken);

    /// <summary>One invoice with its lines.</summary>
    public Task<InvoiceResponse> GetAsync(string id, CancellationToken cancellationToken = default) =>
        client.GetInvoiceAsync(id, cancellationToken);

    /// <summary>
    /// The invoice as a PDF (application/pdf): the seller, the customer's billing details, the lines, the totals and the credit
    /// notes. An unknown id throws <see cref="TollgateNotFoundException"/>.
    /// </summary>
    public Task<byte[]> PdfAsync(string id, CancellationToken cancellationToken = default) =>
        client.GetBytesAsync($"v1/invoices/{TollgateClient.Segment(id)}/pdf", cancellationToken);
}
