using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Http;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Payments;

/// <summary>
/// Changes and cancels of a Stripe-billed subscription, made through Stripe's API: Stripe decides, and Tollgate stores
/// its answer as it would the webhook that follows. A change asks Stripe not to prorate, because Tollgate's own
/// proration lines go to Stripe as invoice items, so both bill the same amounts.
/// </summary>
public sealed class StripeSubscriptions(
    StripeClient stripe, StripeChanges changes, BillingStore billing, StripeInvoiceItemSender sender, IOptions<StripeOptions> options,
    SeatChanges seatChanges, CatalogCache catalog, MemberStore members, TollgateDatabase database, TimeProvider time)
{
    /// <summary>
    /// Sets Stripe's item quantity to the seats, then makes the same change in Tollgate at once (Stripe changes a quantity
    /// immediately; its webhook then agrees). Tollgate's proration lines go to Stripe as invoice items, so Stripe is asked
    /// not to prorate. What Tollgate would refuse is refused before Stripe is called.
    /// </summary>
    public async Task<(BillingResult? Result, ProblemHttpResult? Problem)> ChangeSeatsAsync(
        Subscription current, int seats, ChangeTiming? timing, ProrationBehavior proration, CancellationToken cancellationToken)
    {
        if (timing == ChangeTiming.PeriodEnd || (timing is null && seats < (current.Seats ?? 1)))
        {
            return (null, Problems.Validation("effective",
                "a subscription billed through Stripe changes its seats at once; send effective: immediate to remove seats"));
        }

        var price = (await catalog.GetVersionAsync(current.PlanVersionId, cancellationToken))?.Terms.Price(current.BillingPeriod, current.Currency);
        // Checked before Stripe is called, and again by the write under the customer's lock, which decides.
        if (price is null)
        {
            return (new BillingResult.Conflict("not_per_seat", $"Plan '{current.PlanCode}' is not sold per seat."), null);
        }

        if (SeatRules.Check(current.PlanCode, price, seats, await members.CountAsync(current.CustomerId, cancellationToken)) is { } refused)
        {
            return (new BillingResult.Conflict(refused.Error, refused.Detail), null);
        }

        return await CallAsync(current, async () =>
        {
            var state = await stripe.RetrieveSubscriptionAsync(current.StripeSubscriptionId!, cancellationToken);
            var item = state.ItemId ?? throw new StripeException(200, "api_error", null, "items.data[0].id", "Stripe's subscription has no item id.");
            await SetQuantityAsync(current, item, seats, "tollgate-seats", cancellationToken);
            var written = await seatChanges.ChangeAsync(current.Id, seats, ChangeTiming.Immediate, proration, allowStripe: true, cancellationToken);
            if (written is BillingResult.Conflict && state.Quantity is { } before && before != seats)
            {
                // A member added since the check (or another change) made Tollgate refuse after Stripe changed: put Stripe back,
                // so its webhook does not set seats below the members that hold them.
                await SetQuantityAsync(current, item, before, "tollgate-seats-undo", cancellationToken);
            }

            return written;
        }, cancellationToken);
    }

    private Task SetQuantityAsync(Subscription current, string item, int quantity, string operation, CancellationToken cancellationToken) =>
        stripe.SetItemQuantityAsync(current.StripeSubscriptionId!, item, quantity,
            Key(operation, current, quantity.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);

    public async Task<(BillingResult? Result, ProblemHttpResult? Problem)> ChangeAsync(
        Subscription current, Plan plan, BillingInterval interval, ChangeTiming? timing, ProrationBehavior proration, bool preview,
        CancellationToken cancellationToken)
    {
        if (timing == ChangeTiming.PeriodEnd)
        {
            return (null, Problems.Validation("effective",
                "a subscription billed through Stripe changes at once; leave effective out or send immediate"));
        }

        if (plan.Current.Terms.Price(interval, current.Currency) is not { } price)
        {
            return (null, Problems.Create(409, "currency_mismatch",
                $"The subscription is in {current.Currency}, and plan '{plan.Code}' has no {interval.ToWire()} price in it "
                + $"(it offers {string.Join(", ", plan.Current.Terms.Currencies)})."));
        }

        if (price.StripePriceId is not { } priceId)
        {
            var field = new Dictionary<string, string> { ["plan"] = $"'{plan.Code}' has no stripe_price_id for its {interval.ToWire()} price" };
            return (null, Problems.Create(422, "price_not_linked",
                $"Plan '{plan.Code}' has no stripe_price_id for its {interval.ToWire()} price, so Stripe cannot bill it; set it in the catalog first.",
                new Dictionary<string, object?> { ["errors"] = field }));
        }

        if (preview)
        {
            return (await billing.ChangePlanAsync(current.Id, plan.Current, interval, ChangeTiming.Immediate, proration, preview: true, cancellationToken),
                null);
        }

        return await CallAsync(current, async () =>
        {
            var state = await stripe.RetrieveSubscriptionAsync(current.StripeSubscriptionId!, cancellationToken);
            var item = state.ItemId ?? throw new StripeException(200, "api_error", null, "items.data[0].id", "Stripe's subscription has no item id.");
            // Committed before Stripe acts: if its answer is lost, the event that follows still bills this change's lines.
            var requestedAt = time.GetUtcNow();
            await StripeChangeIntents.RecordAsync(database, current, plan.Current, interval, proration, requestedAt, cancellationToken);
            StripeSubscriptionState answer;
            try
            {
                answer = await stripe.SetItemPriceAsync(current.StripeSubscriptionId!, item, priceId, Key("tollgate-change", current, priceId),
                    cancellationToken);
            }
            catch (Exception e) when (e is StripeException or OperationCanceledException)
            {
                // A refusal made nothing, so no event will bring this change; nor will one after no answer, unless Stripe made
                // the change all the same. A 409 is another request under the same key still running: its intent stays.
                var refused = e is StripeException { Status: >= 400 and < 500 and not 409 };
                var another = e is StripeException { Status: 409 };
                if (refused || (!another && !await MadeAsync(current, priceId)))
                {
                    await StripeChangeIntents.ForgetAsync(database, current.Id, requestedAt, CancellationToken.None);
                }

                throw;
            }

            return await changes.ApplyChangeAsync(current, plan.Current, interval, proration, answer, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Whether Stripe's subscription is on <paramref name="priceId"/> now, read after a call whose outcome is unknown; true
    /// when it cannot be read either, so an intent is kept rather than lost.
    /// </summary>
    private async Task<bool> MadeAsync(Subscription current, string priceId)
    {
        try
        {
            return (await stripe.RetrieveSubscriptionAsync(current.StripeSubscriptionId!, CancellationToken.None)).PriceId == priceId;
        }
        catch (StripeException)
        {
            return true;
        }
    }

    /// <summary>
    /// Cancels in Stripe, sending the reason and comment as Stripe's <c>cancellation_details</c>, and keeps them with
    /// Stripe's answer in one write.
    /// </summary>
    public Task<(BillingResult? Result, ProblemHttpResult? Problem)> CancelAsync(
        Subscription current, bool atPeriodEnd, bool creditUnused, CancellationFeedback? reason, CancellationToken cancellationToken,
        bool billUsage = true) =>
        CallAsync(current, async () => atPeriodEnd
            ? await changes.ApplyStateAsync(current, await stripe.SetCancelAtPeriodEndAsync(current.StripeSubscriptionId!, true, reason,
                Key("tollgate-cancel", current, $"period-end-{reason?.Reason}-{Fingerprint(reason?.Comment)}"), cancellationToken), reason, cancellationToken)
            : await CancelNowAsync(current, creditUnused, reason, billUsage, cancellationToken), cancellationToken);

    public Task<(BillingResult? Result, ProblemHttpResult? Problem)> UndoCancelAsync(Subscription current, CancellationToken cancellationToken) =>
        current.CancelAtPeriodEnd
            ? CallAsync(current, async () => await changes.ApplyStateAsync(current, await KeepAsync(current, cancellationToken),
                cancellationToken: cancellationToken), cancellationToken)
            : Task.FromResult<(BillingResult?, ProblemHttpResult?)>(
                (new BillingResult.Conflict("no_pending_cancel", "The subscription is not set to cancel at the period end."), null));

    // Clearing the flag keeps a cancel made through the API; one Stripe's portal scheduled by date is still set after it, so
    // its cancel_at is unset too.
    private async Task<StripeSubscriptionState> KeepAsync(Subscription current, CancellationToken cancellationToken)
    {
        var kept = await stripe.SetCancelAtPeriodEndAsync(current.StripeSubscriptionId!, false, null, Key("tollgate-undo-cancel", current, "keep"),
            cancellationToken);
        return kept.CancelAt is null ? kept
            : await stripe.ClearCancelAtAsync(current.StripeSubscriptionId!, Key("tollgate-undo-cancel", current, "keep-date"), cancellationToken);
    }

    private async Task<BillingResult> CancelNowAsync(
        Subscription current, bool creditUnused, CancellationFeedback? reason, bool billUsage, CancellationToken cancellationToken)
    {
        await stripe.CancelSubscriptionAsync(current.StripeSubscriptionId!, reason, cancellationToken);
        return await changes.ApplyCancelNowAsync(current, creditUnused, reason, cancellationToken, billUsage);
    }

    /// <summary>Refuses what Stripe cannot do, calls Stripe, and sends the lines the change made (best effort; the background sender retries).</summary>
    private async Task<(BillingResult?, ProblemHttpResult?)> CallAsync(
        Subscription current, Func<Task<BillingResult>> call, CancellationToken cancellationToken)
    {
        if (!options.Value.HasSecretKey)
        {
            return (null, PaymentsApi.NotConfigured("Tollgate:Stripe:SecretKey"));
        }

        if (!current.IsLive)
        {
            return (new BillingResult.Conflict("subscription_not_live", $"The subscription is already {current.Status.ToWire()}."), null);
        }

        try
        {
            var result = await call();
            await sender.TrySendNowAsync(cancellationToken);
            return (result, null);
        }
        catch (StripeException e)
        {
            return (null, PaymentsApi.FromStripe(e));
        }
    }

    /// <summary>
    /// The comment's SHA-256 (first 16 hex digits) in the cancel's key: Stripe refuses a key reused with other parameters,
    /// so a retry that changes only the comment needs its own key.
    /// </summary>
    private static string Fingerprint(string? comment) =>
        comment is null ? "none" : StripeIdempotencyKey.Hash(comment)[..16];

    /// <summary>One key per subscription revision and request: a retry of the same request sends the same key.</summary>
    private static string Key(string operation, Subscription current, string target) =>
        StripeIdempotencyKey.For(operation, $"{current.Id}-{current.Revision}-{target}");
}
