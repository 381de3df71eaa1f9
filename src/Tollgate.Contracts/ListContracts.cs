namespace Tollgate.Contracts;

/// <summary>One page of a list: every list endpoint answers this shape.</summary>
/// <param name="Data">The items of this page, in the list's order.</param>
/// <param name="HasMore">Whether another page follows.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> to read the next page; null on the last one.</param>
public sealed record ListResponse<T>(IReadOnlyList<T> Data, bool HasMore, string? NextCursor);

/// <summary>Filters of <c>GET /v1/customers</c>; each is optional.</summary>
/// <param name="Query">A prefix of the id, e-mail or name, any case.</param>
/// <param name="Plan">The plan of the customer's newest subscription.</param>
/// <param name="Status">The status of the customer's newest subscription.</param>
public sealed record CustomerListQuery(string? Query = null, string? Plan = null, string? Status = null);

/// <summary>Filters of <c>GET /v1/subscriptions</c>; each is optional.</summary>
/// <param name="Customer">One customer's subscriptions.</param>
/// <param name="Status">trialing, active, past_due, canceled or incomplete.</param>
/// <param name="Plan">A plan's code.</param>
public sealed record SubscriptionListQuery(string? Customer = null, string? Status = null, string? Plan = null);

/// <summary>Filters of <c>GET /v1/invoices</c>; each is optional.</summary>
/// <param name="Customer">One customer's invoices.</param>
/// <param name="Status">draft, open, paid, void or uncollectible.</param>
/// <param name="From">Created at or after.</param>
/// <param name="To">Created before.</param>
public sealed record InvoiceListQuery(string? Customer = null, string? Status = null, DateTimeOffset? From = null, DateTimeOffset? To = null);
