using Sdk = Stripe;

namespace Tollgate.Server.Payments;

/// <summary>Reads, changes and cancels of a Stripe subscription, answered as its new state.</summary>
public sealed partial class StripeClient
{
    public Task<StripeSubscriptionState> RetrieveSubscriptionAsync(string id, CancellationToken cancellationToken = default) =>
        SubscriptionCallAsync(id, (service, request) => service.GetAsync(id, null, request, cancellationToken), null, cancellationToken);

    /// <summary>Sets the quantity of the subscription's item, without Stripe's proration (Tollgate sends its own lines).</summary>
    public Task<StripeSubscriptionState> SetItemQuantityAsync(
        string id, string itemId, int quantity, string idempotencyKey, CancellationToken cancellationToken = default) =>
        UpdateAsync(id, new Sdk.SubscriptionUpdateOptions
        {
            Items = [new() { Id = itemId, Quantity = quantity }],
            ProrationBehavior = "none",
        }, idempotencyKey, cancellationToken);

    /// <summary>Moves the subscription's item to another price, without Stripe's proration (Tollgate sends its own lines).</summary>
    public Task<StripeSubscriptionState> SetItemPriceAsync(
        string id, string itemId, string priceId, string idempotencyKey, CancellationToken cancellationToken = default) =>
        UpdateAsync(id, new Sdk.SubscriptionUpdateOptions
        {
            Items = [new() { Id = itemId, Price = priceId }],
            ProrationBehavior = "none",
        }, idempotencyKey, cancellationToken);

    /// <summary>Sets or clears cancel_at_period_end; a reason set goes along as Stripe's <c>cancellation_details</c>.</summary>
    public Task<StripeSubscriptionState> SetCancelAtPeriodEndAsync(
        string id, bool cancel, CancellationFeedback? reason, string idempotencyKey, CancellationToken cancellationToken = default) =>
        UpdateAsync(id, new Sdk.SubscriptionUpdateOptions { CancelAtPeriodEnd = cancel, CancellationDetails = Details(reason) },
            idempotencyKey, cancellationToken);

    /// <summary>
    /// Unsets <c>cancel_at</c>: the way to keep a subscription whose cancel Stripe's portal or dashboard scheduled by date,
    /// which clearing <c>cancel_at_period_end</c> leaves in place.
    /// </summary>
    public Task<StripeSubscriptionState> ClearCancelAtAsync(string id, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var parameters = new Sdk.SubscriptionUpdateOptions();
        parameters.AddExtraParam("cancel_at", "");
        return UpdateAsync(id, parameters, idempotencyKey, cancellationToken);
    }

    /// <summary>
    /// Cancels a subscription now, with <paramref name="reason"/> as <c>cancellation_details</c> (Stripe.net sends a
    /// DELETE's parameters in the query). Stripe takes no idempotency key on DELETE: a retry that finds it canceled reads
    /// it instead.
    /// </summary>
    public async Task<StripeSubscriptionState> CancelSubscriptionAsync(
        string id, CancellationFeedback? reason = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SubscriptionCallAsync(id, (service, request) => service.CancelAsync(id,
                new Sdk.SubscriptionCancelOptions { CancellationDetails = Details(reason) }, request, cancellationToken), null, cancellationToken);
        }
        catch (StripeException e) when (e.Status is >= 400 and < 500)
        {
            var state = await RetrieveSubscriptionAsync(id, cancellationToken);
            if (state.StripeStatus != "canceled")
            {
                throw;
            }

            return state;
        }
    }

    private Task<StripeSubscriptionState> UpdateAsync(
        string id, Sdk.SubscriptionUpdateOptions parameters, string idempotencyKey, CancellationToken cancellationToken) =>
        SubscriptionCallAsync(id, (service, request) => service.UpdateAsync(id, parameters, request, cancellationToken), idempotencyKey,
            cancellationToken);

    /// <summary>Stripe's <c>cancellation_details</c> (its feedback set is Tollgate's reasons); null sends nothing.</summary>
    private static Sdk.SubscriptionCancellationDetailsOptions? Details(CancellationFeedback? reason) =>
        reason is null ? null : new() { Feedback = reason.Reason, Comment = reason.Comment };

    /// <summary>
    /// The subscription is read from the answer's JSON by the reader the webhook uses, not from Stripe.net's object: one
    /// reading of a subscription's state, whichever way it arrives, that names a missing field.
    /// </summary>
    private async Task<StripeSubscriptionState> SubscriptionCallAsync(
        string id, Func<Sdk.SubscriptionService, Sdk.RequestOptions, Task<Sdk.Subscription>> call, string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var subscription = await CallAsync((client, request) => call(new Sdk.SubscriptionService(client), request), idempotencyKey, cancellationToken);
        try
        {
            using var body = System.Text.Json.JsonDocument.Parse(subscription.StripeResponse.Content);
            return StripeEventReader.Subscription(new StripeJson(body.RootElement, "subscription"));
        }
        catch (StripePayloadException e)
        {
            throw new StripeException(200, "api_error", null, e.Field, $"Stripe's subscription {id} could not be read: {e.Message}");
        }
    }
}
