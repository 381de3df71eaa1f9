using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Server.Auth;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Server.Observability;

namespace Tollgate.Server.Payments;

/// <summary>Stripe Checkout for a plan, the customer portal, and Stripe's webhook.</summary>
public static class PaymentsApi
{
    public static RouteGroupBuilder MapPayments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/billing").WithTags("Payments").RequireAuthorization(Policies.Secret).ProducesProblems(404, 409, 422, 502, 503);
        group.MapPost("/checkout-sessions", CheckoutAsync);
        group.MapPost("/portal-sessions", PortalAsync);
        app.MapStripeWebhook();
        return group;
    }

    public static IServiceCollection AddTollgatePayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<StripeOptions>(configuration.GetSection(StripeOptions.Section));
        // Stripe.net sends through this client: AttemptTimeout per attempt (three attempts were 91 s against a hung Stripe
        // at 30 s each, past a proxy's 60), and no trace context to Stripe. Stripe.net's own retries are the only ones, so
        // no resilience handler goes on it.
        services.AddHttpClient(StripeClient.HttpClientName)
            .ConfigureHttpClient((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<StripeOptions>>().Value.AttemptTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .WithoutTraceContext();
        // Transient: each takes an HttpClient from the factory, whose handlers are pooled and rotated.
        services.AddTransient<StripeClient>();
        services.AddSingleton<StripeInvoiceItemStore>();
        services.AddSingleton<StripeInvoiceItemSender>();
        services.AddHostedService(sp => sp.GetRequiredService<StripeInvoiceItemSender>());
        services.AddSingleton<StripeChanges>();
        services.AddTransient<StripeSubscriptions>();
        return services;
    }

    /// <summary>What the billing endpoints read from, injected as one.</summary>
    public sealed record Services(
        StripeClient Stripe, StripeLinks Links, CustomerStore Customers, CatalogCache Catalog, IOptions<StripeOptions> Options,
        Server.Discounts.DiscountStore Discounts, Experiments.ExperimentPricing Experiments);

    internal static async Task<Results<Ok<CheckoutSessionResponse>, ProblemHttpResult>> CheckoutAsync(
        CreateCheckoutSessionRequest request, HttpContext http, IOptions<BrowserCorsOptions> cors, [AsParameters] Services s,
        CancellationToken cancellationToken) =>
        http.User.ForeignReturnUrls(cors.Value, ("success_url", request.SuccessUrl), ("cancel_url", request.CancelUrl)) is { Count: > 0 } foreign
            ? Problems.Validation(foreign)
            : await PlanCheckout.StartAsync(request, s, cancellationToken) switch
        {
            PaymentOutcome.Opened opened => TypedResults.Ok(new CheckoutSessionResponse(opened.Url, opened.SessionId)),
            PaymentOutcome.Refused refused => Problem(refused),
            var other => throw new InvalidOperationException($"A checkout never comes to {other}."),
        };

    internal static async Task<Results<Ok<PortalSessionResponse>, ProblemHttpResult>> PortalAsync(
        CreatePortalSessionRequest request, HttpContext http, IOptions<BrowserCorsOptions> cors, [AsParameters] Services s,
        CancellationToken cancellationToken) =>
        http.User.ForeignReturnUrls(cors.Value, ("return_url", request.ReturnUrl)) is { Count: > 0 } foreign
            ? Problems.Validation(foreign)
            : await StripePortalSessions.OpenAsync(request, s, cancellationToken) switch
        {
            PaymentOutcome.Opened opened => TypedResults.Ok(new PortalSessionResponse(opened.Url)),
            PaymentOutcome.Refused refused => Problem(refused),
            var other => throw new InvalidOperationException($"A portal session never comes to {other}."),
        };

    /// <summary>A refused payment step as problem+json: its status, its error code, and the fields or Stripe's words it names.</summary>
    internal static ProblemHttpResult Problem(PaymentOutcome.Refused refused) => refused switch
    {
        PaymentOutcome.NotConfigured => Problems.Create(503, "payments_not_configured", refused.Detail),
        PaymentOutcome.Invalid invalid => Problems.Validation(invalid.Errors),
        PaymentOutcome.NotFound missing => Problems.NotFound(missing.What, missing.Id),
        PaymentOutcome.SubscriptionExists => Problems.Create(409, "subscription_exists", refused.Detail),
        PaymentOutcome.PriceNotLinked => Problems.Create(422, "price_not_linked", refused.Detail,
            FieldErrors("plan", "has no Stripe price for this billing period")),
        PaymentOutcome.CodeRefused code => Discounts.DiscountProblems.Invalid(code.Reason, refused.Detail, "promotion_code"),
        PaymentOutcome.CouponNotLinked => Problems.Create(422, "coupon_not_linked", refused.Detail,
            FieldErrors("promotion_code", "its coupon has no Stripe coupon")),
        PaymentOutcome.StripeCustomerTaken => Problems.Create(409, "stripe_customer_conflict", refused.Detail),
        PaymentOutcome.StripeCustomerMissing => Problems.Create(409, "stripe_customer_missing", refused.Detail),
        PaymentOutcome.StripeFailed { Error: var e } => Problems.Create(502, "stripe_error", refused.Detail, new Dictionary<string, object?>
        {
            ["stripe_status"] = e.Status, ["stripe_type"] = e.Type, ["stripe_code"] = e.Code, ["stripe_param"] = e.Param,
        }),
        _ => throw new InvalidOperationException($"Every payment refusal is answered above; {refused} is not."),
    };

    private static Dictionary<string, object?> FieldErrors(string field, string problem) =>
        new() { ["errors"] = new Dictionary<string, string> { [field] = problem } };

    internal static ProblemHttpResult NotConfigured(string setting) => Problem(new PaymentOutcome.NotConfigured(setting));

    /// <summary>Stripe refused the call or could not be reached: a 502 carrying Stripe's own words.</summary>
    internal static ProblemHttpResult FromStripe(StripeException e) => Problem(new PaymentOutcome.StripeFailed(e));

    internal static ProblemHttpResult StripeCustomerTaken(string customer) => Problem(new PaymentOutcome.StripeCustomerTaken(customer));
}
