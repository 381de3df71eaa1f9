namespace Tollgate.Contracts;

/// <summary>The answer to a customer deletion: the id stays taken, the personal data is gone.</summary>
/// <param name="Id">The deleted customer's id.</param>
/// <param name="Deleted">Always true.</param>
/// <param name="DeletedAt">When the personal data was erased.</param>
/// <param name="CanceledSubscription">The subscription the deletion canceled at once, if the customer had a live one.</param>
/// <param name="FinalInvoice">The invoice that cancellation issued (overage so far, and a credit when prorate=true), if any.</param>
public sealed record CustomerDeletedResponse(string Id, bool Deleted, DateTimeOffset DeletedAt, string? CanceledSubscription, string? FinalInvoice);
