using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Server.Http;

namespace Tollgate.Server.Payments;

/// <summary>
/// Stripe's webhook: the raw body's signature is checked before anything is read from it, then the event is applied
/// once. A bad or stale signature, or a body that is not an event, is a 400 that writes nothing; Stripe retries a
/// failed delivery, so any answer but 2xx means "send it again".
/// </summary>
public static class StripeWebhookApi
{
    /// <summary>What was done with the event; Stripe shows it in the endpoint's delivery log.</summary>
    public sealed record StripeWebhookResponse(string Event, string Type, string Outcome, string? Detail, bool Replayed);

    public static RouteHandlerBuilder MapStripeWebhook(this IEndpointRouteBuilder app) =>
        app.MapPost("/v1/billing/webhooks/stripe", ReceiveAsync).WithTags("Payments").AllowAnonymous()
            .Accepts<OpenApi.Bodies.StripeEventBody>("application/json").ProducesProblems(503);

    private static async Task<Results<Ok<StripeWebhookResponse>, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, IOptions<StripeOptions> options, StripeEventStore events, StripeClient stripe, StripeInvoiceItemSender invoiceItems,
        TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.HasWebhookSecret)
        {
            return PaymentsApi.NotConfigured("Tollgate:Stripe:WebhookSecret");
        }

        // The body as sent, byte for byte: the signature covers it, and re-serialized JSON would not match.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        if (StripeSignature.Verify(request.Headers["Stripe-Signature"], body, settings.WebhookSecret!, time.GetUtcNow()) is { } problem)
        {
            return Problems.Create(400, "invalid_signature", problem);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return Problems.Create(400, "invalid_json", $"The body is not JSON: {e.Message}");
        }

        using (document)
        {
            StripeEventRecord stripeEvent;
            StripeEffect effect;
            var root = new StripeJson(document.RootElement, "event");
            try
            {
                stripeEvent = StripeEventReader.Event(root);
                var data = StripeEventReader.DataObject(root);
                effect = StripeEventReader.Effect(stripeEvent.Type, data, stripeEvent.CreatedAt);
                if (effect is StripeEffect.CheckoutCompleted checkout && StripeEventReader.CheckoutSubscriptionId(data) is { } subscription
                    && settings.HasSecretKey && !await events.IsRecordedAsync(stripeEvent.Id, cancellationToken)
                    && !await events.IsLinkedAsync(subscription, cancellationToken))
                {
                    // The subscription's own event has not come yet; its state is fetched now, before the transaction.
                    effect = checkout with { Subscription = await FetchAsync(stripe, subscription, stripeEvent, loggers, cancellationToken) };
                }

                if (effect is StripeEffect.InvoicePaid { AmountPaidCents: > 0, PeriodStart: { } period } paid && settings.HasSecretKey
                    && !await events.IsRecordedAsync(stripeEvent.Id, cancellationToken)
                    && await events.IsBehindAsync(paid.StripeSubscriptionId, period, cancellationToken))
                {
                    // The money came before the subscription's own event (a first payment, or a renewal's): Tollgate has no
                    // invoice for it yet, and a 200 means Stripe never sends it again. The subscription's state is fetched
                    // now, before the transaction, and applied first.
                    // No 404 fallback here: without the subscription's state the payment would match any open invoice of the
                    // customer, another period's included; a 502 keeps the event for Stripe to send again.
                    effect = paid with { Subscription = await stripe.RetrieveSubscriptionAsync(paid.StripeSubscriptionId, cancellationToken) };
                }

                if (TaxOf(effect) is { UnreadRates.Count: > 0 } tax && settings.HasSecretKey && !await events.IsRecordedAsync(stripeEvent.Id, cancellationToken))
                {
                    // An event names the invoice's tax rates by id; what the invoice prints of them is read now, before the transaction.
                    effect = WithTax(effect, tax.WithRates(await stripe.TaxRatesAsync(tax.UnreadRates, cancellationToken)));
                }
            }
            catch (StripePayloadException e)
            {
                return Problems.Create(400, "invalid_event", e.Message, new Dictionary<string, object?>
                {
                    ["errors"] = new Dictionary<string, string> { [e.Field] = e.Problem },
                });
            }
            catch (StripeException e)
            {
                return PaymentsApi.FromStripe(e);
            }

            var result = await events.ApplyAsync(stripeEvent, effect, cancellationToken);
            if (!result.Replayed)
            {
                // A renewal or a deletion applied here may have made overage lines; Stripe hears of them now, not at the next poll.
                await invoiceItems.TrySendNowAsync(cancellationToken);
            }

            var logger = loggers.CreateLogger(typeof(StripeWebhookApi));
            if (!result.Replayed
                && result.Outcome is StripeOutcomes.UnknownPrice or StripeOutcomes.UnknownCustomer or StripeOutcomes.UnmatchedInvoice
                    or StripeOutcomes.DuplicateSubscription)
            {
                logger.LogWarning("Stripe event {Event} ({Type}): {Outcome}, {Detail}",
                    stripeEvent.Id, stripeEvent.Type, result.Outcome, result.Detail);
            }

            return TypedResults.Ok(new StripeWebhookResponse(stripeEvent.Id, stripeEvent.Type, result.Outcome, result.Detail, result.Replayed));
        }
    }

    /// <summary>
    /// The subscription's state from Stripe for a completed checkout; null when Stripe answers 404, so the checkout is
    /// applied from what it carries (the customer's link).
    /// A subscription Stripe does not have (deleted since, or made under another account's or mode's key) never appears:
    /// a 502 would only have Stripe send the event again for three days. Any other failure is still a 502, retried.
    /// </summary>
    private static async Task<StripeSubscriptionState?> FetchAsync(
        StripeClient stripe, string subscription, StripeEventRecord stripeEvent, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            return await stripe.RetrieveSubscriptionAsync(subscription, cancellationToken);
        }
        catch (StripeException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            loggers.CreateLogger(typeof(StripeWebhookApi)).LogWarning(
                "Stripe event {Event} ({Type}) names subscription {Subscription}, which Stripe does not have ({Message}); applied from the event alone",
                stripeEvent.Id, stripeEvent.Type, subscription, e.Message);
            return null;
        }
    }

    private static StripeInvoiceTax? TaxOf(StripeEffect effect) => effect switch
    {
        StripeEffect.InvoicePaid paid => paid.Tax,
        StripeEffect.PaymentFailed failed => failed.Tax,
        StripeEffect.InvoiceFinalized finalized => finalized.Tax,
        _ => null,
    };

    private static StripeEffect WithTax(StripeEffect effect, StripeInvoiceTax tax) => effect switch
    {
        StripeEffect.InvoicePaid paid => paid with { Tax = tax },
        StripeEffect.PaymentFailed failed => failed with { Tax = tax },
        StripeEffect.InvoiceFinalized finalized => finalized with { Tax = tax },
        _ => effect,
    };
}
