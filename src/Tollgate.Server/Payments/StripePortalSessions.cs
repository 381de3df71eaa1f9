using Tollgate.Contracts;
using Tollgate.Server.Http;

namespace Tollgate.Server.Payments;

/// <summary>Opens Stripe's billing portal for a customer: the one service the API and Tollgate's own portal call.</summary>
public static class StripePortalSessions
{
    public static async Task<PaymentOutcome> OpenAsync(CreatePortalSessionRequest request, PaymentsApi.Services s, CancellationToken cancellationToken)
    {
        if (!s.Options.Value.HasSecretKey)
        {
            return new PaymentOutcome.NotConfigured("Tollgate:Stripe:SecretKey");
        }

        var errors = Validate.Errors(("customer", Validate.Id(request.Customer)), ("return_url", Validate.HttpUrl(request.ReturnUrl)));
        if (errors.Count > 0)
        {
            return new PaymentOutcome.Invalid(errors);
        }

        if (await s.Customers.GetAsync(request.Customer, cancellationToken) is null)
        {
            return new PaymentOutcome.NotFound("customer", request.Customer);
        }

        if (await s.Links.StripeCustomerIdAsync(request.Customer, cancellationToken) is not { } stripeCustomer)
        {
            return new PaymentOutcome.StripeCustomerMissing(request.Customer);
        }

        try
        {
            var session = await s.Stripe.CreatePortalSessionAsync(stripeCustomer, request.ReturnUrl, cancellationToken);
            return new PaymentOutcome.Opened(session.Url, session.Id);
        }
        catch (StripeException e)
        {
            return new PaymentOutcome.StripeFailed(e);
        }
    }
}
