using Tollgate.Client.Contracts;

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
}

/// <summary>Subscriptions: <c>subscriptions.create/change/cancel/preview</c> in the other SDKs.</summary>
public sealed class SubscriptionsResource(TollgateClient client)
{
    /// <summary>Puts a customer on a plan.</summary>
    public Task<SubscriptionResponse> CreateAsync(CreateSubscriptionRequest request, CancellationToken cancellationToken = default) =>
        client.CreateSubscriptionAsync(request, cancellationToken);

    /// <summary>Moves a subscription to another plan or billing period.</summary>
    public Task<SubscriptionChangeResponse> ChangeAsync(string id, ChangeSubscriptionRequest request, CancellationToken cancellationToken = default) =>
        client.ChangeSubscriptionAsync(id, request, cancellationToken);

    /// <summary>What a change would do, changing nothing.</summary>
    public Task<SubscriptionChangeResponse> PreviewAsync(string id, ChangeSubscriptionRequest request, CancellationToken cancellationToken = default) =>
        client.PreviewSubscriptionChangeAsync(id, request, cancellationToken);

    /// <summary>Cancels at the period's end by default, or now.</summary>
    public Task<SubscriptionChangeResponse> CancelAsync(string id, CancelSubscriptionRequest? request = null, CancellationToken cancellationToken = default) =>
        client.CancelSubscriptionAsync(id, request, cancellationToken);
}

/// <summary>Invoices: <c>invoices.list/get</c> in the other SDKs.</summary>
public sealed class InvoicesResource(TollgateClient client)
{
    /// <summary>The customer's invoices, newest first, with its credit balance.</summary>
    public Task<InvoiceListResponse> ListAsync(string customer, CancellationToken cancellationToken = default) =>
        client.ListInvoicesAsync(customer, cancellationToken);

    /// <summary>One invoice with its lines.</summary>
    public Task<InvoiceResponse> GetAsync(string id, CancellationToken cancellationToken = default) =>
        client.GetInvoiceAsync(id, cancellationToken);
}
