using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Tollgate.Storage.Payments;

namespace Tollgate.Server.Payments;

/// <summary>
/// The Stripe calls Tollgate makes, on Stripe's documented REST API: form-encoded bodies, the API version pinned, an
/// idempotency key on every POST. Network errors, 409, 429 and 5xx are retried a few times with backoff and the same
/// key, unless Stripe's Stripe-Should-Retry header says otherwise.
/// </summary>
public sealed partial class StripeClient(HttpClient http, IOptions<StripeOptions> options, ILogger<StripeClient> logger)
{
    /// <summary>The first version with item-level periods and invoice.parent; webhook endpoints must use it too.</summary>
    public const string ApiVersion = "2025-03-31.basil";

    private const int MaxAttempts = 3;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Creates the Stripe customer of a Tollgate customer. The idempotency key is the customer's own, so a retry, or a
    /// checkout racing another for the same customer, gets the same Stripe customer back.
    /// </summary>
    public async Task<StripeCustomer> CreateCustomerAsync(
        string customerId, string? email, string? name, CancellationToken cancellationToken = default)
    {
        using var body = await PostAsync("v1/customers", new Dictionary<string, object?>
        {
            ["email"] = email,
            ["name"] = name,
            ["metadata"] = new Dictionary<string, string> { ["tollgate_customer"] = customerId },
        }, StripeIdempotencyKey.For("tollgate-customer", customerId), cancellationToken);
        return new StripeCustomer(Text(body.RootElement, "id"));
    }

    /// <summary>A subscription-mode checkout for one price; the Tollgate customer rides along in metadata so every later event names them.</summary>
    public async Task<StripeCheckoutSession> CreateCheckoutSessionAsync(CheckoutRequest checkout, CancellationToken cancellationToken = default)
    {
        var metadata = new Dictionary<string, string> { ["tollgate_customer"] = checkout.CustomerId };
        // The variant and visitor go on the subscription, whose events create Tollgate's and count the conversion.
        var subscriptionMetadata = checkout.Attribution is { } attribution
            ? new Dictionary<string, string>(metadata.Concat(attribution.Metadata()))
            : metadata;
        // The session's own metadata names the held redemption, so its checkout.session.expired can give it back.
        var sessionMetadata = checkout.RedemptionHoldId is { } hold
            ? new Dictionary<string, string>(metadata) { [StripeEventReader.CheckoutRedemption] = hold }
            : metadata;
        using var body = await PostAsync("v1/checkout/sessions", new Dictionary<string, object?>
        {
            ["mode"] = "subscription",
            ["customer"] = checkout.StripeCustomerId,
            ["line_items"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["price"] = checkout.Inline is null ? checkout.PriceId : null, ["price_data"] = PriceData(checkout.Inline), ["quantity"] = checkout.Quantity,
                },
            },
            ["success_url"] = checkout.SuccessUrl,
            ["cancel_url"] = checkout.CancelUrl,
            ["client_reference_id"] = checkout.CustomerId,
            ["metadata"] = sessionMetadata,
            ["discounts"] = checkout.StripeCouponId is { } coupon ? new[] { new Dictionary<string, object?> { ["coupon"] = coupon } } : null,
            ["allow_promotion_codes"] = checkout.AllowPromotionCodes ? "true" : null,
            ["subscription_data"] = new Dictionary<string, object?>
            {
                ["metadata"] = subscriptionMetadata,
                ["trial_period_days"] = checkout.TrialDays > 0 ? checkout.TrialDays : null,
            },
        }, NewKey(), cancellationToken);
        // expires_at bounds the promotion code hold: past it the session can no longer be paid.
        var expiresAt = body.RootElement.TryGetProperty("expires_at", out var expires) && expires.ValueKind == JsonValueKind.Number
            && expires.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
        return new StripeCheckoutSession(Text(body.RootElement, "id"), Text(body.RootElement, "url"), expiresAt);
    }

    /// <summary>The product a price belongs to, which a variant's inline price is sold under.</summary>
    public async Task<string> PriceProductAsync(string priceId, CancellationToken cancellationToken = default)
    {
        using var body = await SendAsync(HttpMethod.Get, $"v1/prices/{Uri.EscapeDataString(priceId)}", null, null, cancellationToken);
        // product is an id unless the call expanded it into the object.
        return body.RootElement.TryGetProperty("product", out var product) && product.ValueKind == JsonValueKind.Object
            ? Text(product, "id")
            : Text(body.RootElement, "product");
    }

    private static Dictionary<string, object?>? PriceData(InlinePrice? price) => price is null ? null : new()
    {
        ["currency"] = price.Currency.ToLowerInvariant(),
        ["unit_amount"] = price.UnitAmount,
        ["recurring"] = new Dictionary<string, object?> { ["interval"] = price.Interval == Core.Catalog.BillingInterval.Yearly ? "year" : "month" },
        ["product"] = price.Product,
    };

    public async Task<StripePortalSession> CreatePortalSessionAsync(
        string stripeCustomerId, string returnUrl, CancellationToken cancellationToken = default)
    {
        using var body = await PostAsync("v1/billing_portal/sessions", new Dictionary<string, object?>
        {
            ["customer"] = stripeCustomerId,
            ["return_url"] = returnUrl,
        }, NewKey(), cancellationToken);
        return new StripePortalSession(Text(body.RootElement, "id"), Text(body.RootElement, "url"));
    }

    public async Task<StripeSubscriptionState> RetrieveSubscriptionAsync(string id, CancellationToken cancellationToken = default)
    {
        using var body = await SendAsync(HttpMethod.Get, $"v1/subscriptions/{Uri.EscapeDataString(id)}", null, null, cancellationToken);
        return ReadSubscription(id, body);
    }

    private static StripeSubscriptionState ReadSubscription(string id, JsonDocument body)
    {
        try
        {
            return StripeEventReader.Subscription(new StripeJson(body.RootElement, "subscription"));
        }
        catch (StripePayloadException e)
        {
            throw new StripeException(200, "api_error", null, e.Field, $"Stripe's subscription {id} could not be read: {e.Message}");
        }
    }

    /// <summary>
    /// One of Tollgate's own lines as a pending invoice item: Stripe adds it to the subscription's next invoice (the
    /// customer's, when the subscription has ended). The key is the line's own, so a resend gets the first item back.
    /// </summary>
    public async Task<string> CreateInvoiceItemAsync(ClaimedInvoiceItem item, CancellationToken cancellationToken = default)
    {
        using var body = await PostAsync("v1/invoiceitems", new Dictionary<string, object?>
        {
            ["customer"] = item.StripeCustomerId,
            ["subscription"] = item.StripeSubscriptionId,
            ["amount"] = item.AmountCents,
            ["currency"] = item.Currency.ToLowerInvariant(),
            ["description"] = item.Description,
            ["period"] = new Dictionary<string, object?> { ["start"] = item.PeriodStart, ["end"] = item.PeriodEnd },
            ["metadata"] = new Dictionary<string, string>
            {
                ["tollgate_customer"] = item.CustomerId, ["tollgate_line"] = item.Id, ["tollgate_kind"] = item.Kind,
            },
        }, StripeIdempotencyKey.For("tollgate-invoiceitem", item.Id), cancellationToken);
        return Text(body.RootElement, "id");
    }

    /// <summary>Updates a subscription (its item's price, cancel_at_period_end) and answers its new state.</summary>
    public async Task<StripeSubscriptionState> UpdateSubscriptionAsync(
        string id, Dictionary<string, object?> parameters, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        using var body = await PostAsync($"v1/subscriptions/{Uri.EscapeDataString(id)}", parameters, idempotencyKey, cancellationToken);
        return ReadSubscription(id, body);
    }

    /// <summary>
    /// Cancels a subscription now, with <paramref name="details"/> as <c>cancellation_details</c> in the query (Stripe's
    /// SDKs send a DELETE's parameters there). Stripe takes no idempotency key on DELETE: a retry that finds it canceled
    /// reads it instead.
    /// </summary>
    public async Task<StripeSubscriptionState> CancelSubscriptionAsync(
        string id, Dictionary<string, object?>? details = null, CancellationToken cancellationToken = default)
    {
        var query = details is null ? "" : StripeForm.Encode(new Dictionary<string, object?> { ["cancellation_details"] = details });
        try
        {
            using var body = await SendAsync(HttpMethod.Delete,
                $"v1/subscriptions/{Uri.EscapeDataString(id)}{(query.Length > 0 ? "?" + query : "")}", null, null, cancellationToken);
            return ReadSubscription(id, body);
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

    private Task<JsonDocument> PostAsync(
        string path, Dictionary<string, object?> parameters, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, StripeForm.Encode(parameters), idempotencyKey, cancellationToken);

    private async Task<JsonDocument> SendAsync(
        HttpMethod method, string path, string? form, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var secret = options.Value.SecretKey ?? throw new InvalidOperationException("Tollgate:Stripe:SecretKey is not set.");
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            request.Headers.Add("Stripe-Version", ApiVersion);
            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }

            if (form is not null)
            {
                request.Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
            }

            string? failure;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return Parse(status, text);
                }

                if (attempt >= MaxAttempts || !ShouldRetry(response))
                {
                    throw StripeException.FromResponse(status, text);
                }

                failure = $"HTTP {status}";
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt >= MaxAttempts)
                {
                    throw new StripeException(0, "api_connection_error", null, null, $"Stripe could not be reached: {e.Message}", e);
                }

                failure = e.Message;
            }

            logger.LogWarning("Stripe {Method} {Path} failed ({Failure}); retry {Attempt} of {Retries} with the same idempotency key",
                method, path, failure, attempt, MaxAttempts - 1);
            // Real time, not the injected clock: Stripe's rate limits run on real time, and the test clock only moves when told.
            await Task.Delay(FirstBackoff * Math.Pow(2, attempt - 1), cancellationToken);
        }
    }

    private static bool ShouldRetry(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Stripe-Should-Retry", out var values)
            ? string.Equals(values.FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase)
            : (int)response.StatusCode is 409 or 429 or >= 500;

    private static JsonDocument Parse(int status, string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new StripeException(status, "api_error", null, null, "Stripe's answer was not JSON.");
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new StripeException(200, "api_error", null, name, $"Stripe's answer has no {name}.");

    /// <summary>A fresh key per logical operation, reused by this client's own retries of it.</summary>
    private static string NewKey() => Guid.NewGuid().ToString();
}
