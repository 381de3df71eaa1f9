namespace Tollgate.Server.Payments;

/// <summary>Bound from Tollgate:Stripe. Without a secret key the billing endpoints answer 503; without a webhook secret, the webhook does.</summary>
public sealed class StripeOptions
{
    public const string Section = "Tollgate:Stripe";
    public const string DefaultApiBase = "https://api.stripe.com/";

    /// <summary>sk_live_… or sk_test_… (a restricted rk_ key works too).</summary>
    public string? SecretKey { get; set; }

    /// <summary>The webhook endpoint's signing secret, whsec_….</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Where the Stripe API is; tests point it at a fake.</summary>
    public string ApiBase { get; set; } = DefaultApiBase;

    /// <summary>How often each node looks for invoice items still to send to Stripe.</summary>
    public TimeSpan InvoiceItemPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one attempt of a Stripe call may take. Stripe.net makes three attempts at most, so a Stripe that hangs
    /// answers the caller within about three times this (45 s by default), inside the 60 s of common proxies; a slow call
    /// cut short is retried under the same idempotency key, so nothing happens twice.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public bool HasSecretKey => !string.IsNullOrWhiteSpace(SecretKey);

    public bool HasWebhookSecret => !string.IsNullOrWhiteSpace(WebhookSecret);
}
