using System.Globalization;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Payments;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Server.Discounts;

namespace Tollgate.Server.Web.Pricing;

/// <summary>
/// What a page sells: <paramref name="Plan"/> at <paramref name="Interval"/>, coming back to <paramref name="BackPath"/>.
/// <paramref name="Customer"/> is the buyer when the page knows them (an offer link made for one); else the form's e-mail is.
/// </summary>
public sealed record PageSale(Plan Plan, BillingInterval Interval, string BackPath, string? Customer, string? Promo = null, string? Visitor = null)
{
    /// <summary>The currency the pricing page showed the price in; null sells in the buyer's own, else the plan's default.</summary>
    public string? Currency { get; init; }
}

/// <summary>
/// The one checkout path of the anonymous pages (/pricing/start and /offer): the per-client limit, the form, the e-mail
/// (an existing customer's, any case, is that customer), then the checkout the API runs, which stores a new buyer only
/// once Stripe has made the session.
/// </summary>
public static class PageCheckout
{
    /// <summary>What the pages' checkout reads from, injected as one (flat: a handler's parameters record cannot nest another).</summary>
    public sealed record Services(
        StripeClient Stripe, StripeLinks Links, CustomerStore Customers, CatalogCache Catalog, IOptions<StripeOptions> StripeOptions,
        DiscountStore Discounts, Experiments.ExperimentPricing Experiments, FormThrottle Throttle, IOptions<PagesOptions> Pages, TimeProvider Time,
        CustomerLists Lists)
    {
        public PaymentsApi.Services Payments => new(Stripe, Links, Customers, Catalog, StripeOptions, Discounts, Experiments);
    }

    /// <summary>The posted form, or the page that refuses it: 429 past the client's limit, 415 when it is not a form.</summary>
    public static async Task<(IFormCollection? Form, IResult? Refusal)> ReadAsync(
        HttpContext http, Services s, string notTheForm, string again, CancellationToken cancellationToken)
    {
        if (s.Throttle.Take(http) is { } wait)
        {
            var minutes = (long)Math.Ceiling(wait.TotalMinutes);
            http.Response.Headers.RetryAfter = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return (null, PageResults.Message(http, 429, "Too many tries", $"This address has sent the form too often. Try again in {minutes} {(minutes == 1 ? "minute" : "minutes")}."));
        }

        return http.Request.HasFormContentType
            ? (await http.Request.ReadFormAsync(cancellationToken), null)
            : (null, PageResults.Message(http, 415, notTheForm, again));
    }

    /// <summary>Checkout for the sale: redirects to Stripe, or a page saying what stopped it. Nothing is stored when it stops.</summary>
    public static async Task<IResult> CheckoutAsync(HttpContext http, PageSale sale, string? email, Services s, CancellationToken cancellationToken)
    {
        Customer buyer;
        var isNew = false;
        if (sale.Customer is { } known)
        {
            if (await s.Customers.GetAsync(known, cancellationToken) is not { } found)
            {
                return PageResults.Message(http, 502, "Payment is not available", "Ask whoever sent this offer for a new link.");
            }

            buyer = found;
        }
        else if (EmailAddress.IsValid(email?.Trim() ?? "")) // the rule PUT /v1/customers applies, so no form stores an address the API would refuse
        {
            // A returning buyer checks out as the customer they already are: one e-mail never makes a second customer.
            var now = s.Time.GetUtcNow();
            var existing = await s.Lists.FindByEmailAsync(email!.Trim(), cancellationToken);
            isNew = existing is null;
            buyer = existing ?? new Customer(Ids.New("cus", s.Time), email.Trim(), null, new Dictionary<string, string>(), false, now, now);
        }
        else
        {
            return PageResults.Message(http, 400, "An email address is needed", "Go back and enter the email address to subscribe with.");
        }

        // A customer has one currency: a buyer already billed in another cannot check out in the one the page showed.
        if (sale.Currency is { } shown)
        {
            if (buyer.Currency is { } own && own != shown)
            {
                return PageResults.Message(http, 409, "This plan cannot be bought in this currency",
                    $"The account for this email is billed in {own}. Go back to the pricing page and choose the prices in {own}.");
            }

            buyer = buyer with { Currency = shown };
        }

        var origin = s.Pages.Value.OriginFor(http.Request);
        var back = origin + sale.BackPath;
        var visitor = sale.Visitor is { } v && Http.Validate.Id(v) is null ? v : null;
        var checkout = await PlanCheckout.SellAsync(new CreateCheckoutSessionRequest(buyer.Id, sale.Plan.Code, back + "&state=paid", back,
            sale.Interval.ToWire(), sale.Promo, VisitorId: visitor), sale.Interval, buyer, isNew, s.Payments, cancellationToken);
        return checkout switch
        {
            PaymentOutcome.Opened opened => Results.Redirect(opened.Url),
            PaymentOutcome.CodeRefused refused => PageResults.Message(http, 400, "This code cannot be used", refused.Detail),
            PaymentOutcome.Invalid invalid => PageResults.Message(http, 400, "This plan cannot be bought", invalid.Detail),
            PaymentOutcome.SubscriptionExists => PageResults.Message(http, 409, "You already have a plan",
                "Change it from your billing portal instead."),
            // Stripe's own words ("No such price: 'price_…'") are the operator's to read, in the log; the visitor can only wait.
            PaymentOutcome.Refused other => Unavailable(http, other.Detail),
            _ => Unavailable(http, "no answer from the payment provider"),
        };
    }

    private static IResult Unavailable(HttpContext http, string detail)
    {
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PageCheckout))
            .LogWarning("The pricing page's checkout could not start: {Detail}", detail);
        return PageResults.Message(http, 502, "Payment is not available", "Payment could not be started. Try again in a few minutes.");
    }
}
