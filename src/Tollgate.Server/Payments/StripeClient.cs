using Microsoft.Extensions.Options;
using Tollgate.Core.Catalog;
using Sdk = Stripe;

namespace Tollgate.Server.Payments;

/// <summary>
/// The Stripe calls Tollgate makes, through Stripe.net with the API version pinned and an idempotency key on every POST.
/// Stripe.net retries network errors, 409 and 5xx twice with backoff and the same key, and follows Stripe's
/// Stripe-Should-Retry header; its refusals and outages come out as Tollgate's <see cref="StripeException"/>.
/// </summary>
public sealed partial class StripeClient(IHttpClientFactory httpClients, IOptions<StripeOptions> options)
{
    /// <summary>The first version with item-level periods and invoice.parent; webhook endpoints must use it too.</summary>
    public const string ApiVersion = "2025-03-31.basil";

    /// <summary>The named HttpClient Stripe.net sends through: its timeout, and no trace context.</summary>
    public const string HttpClientName = "stripe";

    // Two retries, three attempts in all, as the hand-written client made; Stripe.net's, so no resilience handler retries too.
    private const int MaxNetworkRetries = 2;

    private Sdk.IStripeClient? _sdk;

    /// <summary>
    /// Creates the Stripe customer of a Tollgate customer. The idempotency key is the customer's own, so a retry, or a
    /// checkout racing another for the same customer, gets the same Stripe customer back.
    /// </summary>
    public async Task<StripeCustomer> CreateCustomerAsync(
        string customerId, string? email, string? name, CancellationToken cancellationToken = default)
    {
        var customer = await CallAsync((client, request) => new Sdk.CustomerService(client).CreateAsync(new Sdk.CustomerCreateOptions
        {
            Email = email,
            Name = name,
            Metadata = new Dictionary<string, string> { ["tollgate_customer"] = customerId },
        }, request, cancellationToken), StripeIdempotencyKey.For("tollgate-customer", customerId), cancellationToken);
        return new StripeCustomer(Required(customer.Id, "id"));
    }

    /// <summary>A subscription-mode checkout for one price; the Tollgate customer rides along in metadata so every later event names them.</summary>
    public Task<StripeCheckoutSession> CreateCheckoutSessionAsync(CheckoutRequest checkout, CancellationToken cancellationToken = default)
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
        return CreateSessionAsync(new Sdk.Checkout.SessionCreateOptions
        {
            Mode = "subscription",
            Customer = checkout.StripeCustomerId,
            LineItems =
            [
                new() { Price = checkout.Inline is null ? checkout.PriceId : null, PriceData = PriceData(checkout.Inline), Quantity = checkout.Quantity },
            ],
            SuccessUrl = checkout.SuccessUrl,
            CancelUrl = checkout.CancelUrl,
            ClientReferenceId = checkout.CustomerId,
            Metadata = sessionMetadata,
            Discounts = checkout.StripeCouponId is { } coupon ? [new() { Coupon = coupon }] : null,
            AllowPromotionCodes = checkout.AllowPromotionCodes ? true : null,
            SubscriptionData = new()
            {
                Metadata = subscriptionMetadata,
                TrialPeriodDays = checkout.TrialDays > 0 ? checkout.TrialDays : null,
            },
        }, cancellationToken);
    }

    /// <summary>The product a price belongs to, which a variant's inline price is sold under.</summary>
    public async Task<string> PriceProductAsync(string priceId, CancellationToken cancellationToken = default)
    {
        var price = await CallAsync((client, request) => new Sdk.PriceService(client).GetAsync(priceId, null, request, cancellationToken),
            null, cancellationToken);
        // ProductId reads the id whether or not the call expanded the product into the object.
        return Required(price.ProductId, "product");
    }

    private static Sdk.Checkout.SessionLineItemPriceDataOptions? PriceData(InlinePrice? price) => price is null ? null : new()
    {
        Currency = price.Currency.ToLowerInvariant(),
        UnitAmount = price.UnitAmount,
        Recurring = new() { Interval = price.Interval == BillingInterval.Yearly ? "year" : "month" },
        Product = price.Product,
    };

    public async Task<StripePortalSession> CreatePortalSessionAsync(
        string stripeCustomerId, string returnUrl, CancellationToken cancellationToken = default)
    {
        var session = await CallAsync((client, request) => new Sdk.BillingPortal.SessionService(client).CreateAsync(
            new Sdk.BillingPortal.SessionCreateOptions { Customer = stripeCustomerId, ReturnUrl = returnUrl }, request, cancellationToken),
            NewKey(), cancellationToken);
        return new StripePortalSession(Required(session.Id, "id"), Required(session.Url, "url"));
    }

    /// <summary>
    /// One of Tollgate's own lines as a pending invoice item: Stripe adds it to the subscription's next invoice (the
    /// customer's, when the subscription has ended). The key is the line's own, so a resend gets the first item back.
    /// </summary>
    public async Task<string> CreateInvoiceItemAsync(ClaimedInvoiceItem item, CancellationToken cancellationToken = default)
    {
        var created = await CallAsync((client, request) => new Sdk.InvoiceItemService(client).CreateAsync(new Sdk.InvoiceItemCreateOptions
        {
            Customer = item.StripeCustomerId,
            Subscription = item.StripeSubscriptionId,
            Amount = item.AmountCents,
            Currency = item.Currency.ToLowerInvariant(),
            Description = item.Description,
            Period = new() { Start = item.PeriodStart.UtcDateTime, End = item.PeriodEnd.UtcDateTime },
            Metadata = new Dictionary<string, string>
            {
                ["tollgate_customer"] = item.CustomerId, ["tollgate_line"] = item.Id, ["tollgate_kind"] = item.Kind,
            },
        }, request, cancellationToken), StripeIdempotencyKey.For("tollgate-invoiceitem", item.Id), cancellationToken);
        return Required(created.Id, "id");
    }

    private async Task<StripeCheckoutSession> CreateSessionAsync(Sdk.Checkout.SessionCreateOptions parameters, CancellationToken cancellationToken)
    {
        var session = await CallAsync((client, request) => new Sdk.Checkout.SessionService(client).CreateAsync(parameters, request, cancellationToken),
            NewKey(), cancellationToken);
        // expires_at bounds a promotion code's hold: past it the session can no longer be paid. Stripe.net reads an absent
        // one as DateTime's default, which is no expiry at all.
        var expiresAt = session.ExpiresAt == default ? (DateTimeOffset?)null : new DateTimeOffset(DateTime.SpecifyKind(session.ExpiresAt, DateTimeKind.Utc));
        return new StripeCheckoutSession(Required(session.Id, "id"), Required(session.Url, "url"), expiresAt);
    }

    /// <summary>
    /// One call through Stripe.net with the pinned version and <paramref name="idempotencyKey"/> (Stripe.net reuses it on
    /// its retries); Stripe's refusals and a Stripe that cannot be reached come out as <see cref="StripeException"/>.
    /// </summary>
    private async Task<T> CallAsync<T>(
        Func<Sdk.IStripeClient, Sdk.RequestOptions, Task<T>> call, string? idempotencyKey, CancellationToken cancellationToken)
    {
        // Stripe.net pins its own version (2026-10-28.endive) and keeps the setting internal; a header it adds last pins
        // Tollgate's, which its webhook endpoints and the reader of their events are built for.
        var request = new Sdk.RawRequestOptions
        {
            IdempotencyKey = idempotencyKey,
            AdditionalHeaders = new Dictionary<string, string> { ["Stripe-Version"] = ApiVersion },
        };
        try
        {
            return await call(_sdk ??= Build(), request);
        }
        catch (Sdk.StripeException e)
        {
            throw StripeException.From(e);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Stripe.net rethrows the last attempt's network error or timeout as it came.
            throw new StripeException(0, "api_connection_error", null, null, $"Stripe could not be reached: {e.Message}", e);
        }
    }

    private Sdk.StripeClient Build()
    {
        var settings = options.Value;
        var secret = settings.SecretKey ?? throw new InvalidOperationException("Tollgate:Stripe:SecretKey is not set.");
        return new Sdk.StripeClient(new Sdk.StripeClientOptions
        {
            ApiKey = secret.Trim(),
            // Stripe.net appends /v1/… to the base itself.
            ApiBase = settings.ApiBase.TrimEnd('/'),
            // No X-Stripe-Client-Telemetry: it would tell Stripe the ids and timings of Tollgate's earlier calls.
            HttpClient = new Sdk.SystemNetHttpClient(httpClients.CreateClient(HttpClientName), MaxNetworkRetries, enableTelemetry: false),
        });
    }

    private static string Required(string? value, string name) =>
        !string.IsNullOrEmpty(value) ? value : throw new StripeException(200, "api_error", null, name, $"Stripe's answer has no {name}.");

    /// <summary>A fresh key per logical operation, reused by Stripe.net's own retries of it.</summary>
    private static string NewKey() => Guid.NewGuid().ToString();
}
