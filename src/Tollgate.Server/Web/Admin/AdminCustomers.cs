using System.Globalization;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Money;
using Tollgate.Server.Alerts;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Web.Admin;

/// <summary>The console's customers: a customer's subscription, usage and its history, invoices, costs and alerts, with plan change and cancel.</summary>
public static class AdminCustomers
{
    public static RouteGroupBuilder MapAdminCustomers(this RouteGroupBuilder group)
    {
        group.MapAdminCustomerList();
        group.MapGet("/customers/{id}", DetailAsync);
        group.MapPost("/customers/{id}/change", ChangeAsync);
        group.MapPost("/customers/{id}/cancel", CancelAsync);
        group.MapAdminGrants();
        return group;
    }

    private static async Task<IResult> DetailAsync(
        string id, HttpContext http, string? done, string? usage, AdminData data, CustomerStore customers, UsageQueries queries, UsageHistory usageHistory,
        InvoiceStore invoices, AlertStore alerts, CatalogCache catalog, Server.Grants.CreditGrantStore grants, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var customer = await customers.GetAsync(id, cancellationToken);
        var period = await queries.CurrentPeriodAsync(id, cancellationToken);
        if (customer is null || period is null)
        {
            return PageResults.Message(http, 404, "No such customer", $"There is no customer '{id}'.");
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        var subscription = await customers.GetLiveSubscriptionAsync(id, cancellationToken);
        var history = await AdminUsageChart.ReadAsync(customer.Id, usage, usageHistory, catalog, data.Time, cancellationToken);
        var view = new CustomerPageView(
            user, data.Product, customer,
            done switch { null => null, "canceled" => "The subscription was canceled.", "granted" => "The credits were granted.", _ => "The plan was changed." },
            subscription, subscription is null ? null : await catalog.GetVersionAsync(subscription.PlanVersionId, cancellationToken),
            period.Context.PlanCode ?? "default",
            PlanChoices(snapshot, subscription, customer.Currency ?? (subscription is { Currency.Length: > 0 } ? subscription.Currency : null)),
            [.. snapshot.Features.Where(f => f.Kind == FeatureKind.Metered).Select(feature =>
            {
                var grant = period.Context.Grant(feature.Code);
                var counter = period.Counter(feature.Code);
                var limit = grant is null ? "not included" : QuotaRules.Limit(grant, counter.CarriedIn)?.ToString("N0", CultureInfo.InvariantCulture) ?? "unlimited";
                return new UsageLine(feature.Name, counter.Used.ToString("N0", CultureInfo.InvariantCulture), limit);
            })],
            history,
            await data.CustomerCostsAsync(id, 30, cancellationToken),
            await AdminGrants.ReadAsync(customer.Id, snapshot, period.Context.Version?.Terms.LlmBudgetNanoUsd is not null, grants, data.Time.GetUtcNow(),
                cancellationToken),
            await invoices.ListAsync(id, cancellationToken),
            await alerts.ListAsync(id, unreadOnly: false, 20, cancellationToken));
        return AdminLayout.Page<CustomerPage>(http, new { View = view }, status: history.Refused ? 400 : 200);
    }

    /// <summary>
    /// The plan picker's choices: every active plan at each period, priced in the customer's currency (its own, else its
    /// subscription's; a customer with neither sees each plan's first currency), private ones marked. A plan without a price
    /// in that currency is left out, as a change to it is refused. It opens on the current plan (or on no plan at all), never
    /// on the first listed: a stray click must not downgrade.
    /// </summary>
    private static IReadOnlyList<PlanChoice> PlanChoices(CatalogSnapshot catalog, Subscription? subscription, string? currency)
    {
        var current = subscription is { IsLive: true } live ? $"{live.PlanCode}:{live.BillingPeriod.ToWire()}" : null;
        // One option per plan and period: listing every currency's price gave a USD customer "Pro · €270.00 (current)".
        return [.. catalog.ActivePlans.SelectMany(plan => plan.Current.Terms.Prices
            .Where(price => string.Equals(price.Currency, currency ?? plan.Current.Terms.DefaultCurrency, StringComparison.OrdinalIgnoreCase))
            .Select(price =>
            {
                var value = $"{plan.Code}:{price.BillingPeriod.ToWire()}";
                return new PlanChoice(value, $"{plan.Name} · {MinorUnits.Display(price.PriceCents, price.Currency)}{(price.PerSeat ? " per seat" : "")} "
                    + $"{price.BillingPeriod.ToWire()}{(plan.IsPrivate ? " (private)" : "")}{(value == current ? " (current)" : "")}", value == current);
            }))];
    }

    private static async Task<IResult> ChangeAsync(
        string id, HttpContext http, AdminData data, CustomerStore customers, BillingStore billing, CatalogCache catalog,
        Microsoft.Extensions.Options.IOptions<BillingOptions> options, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var form = posted.Form;

        var parts = form["choice"].ToString().Split(':');
        var plan = (await catalog.GetAsync(cancellationToken)).Plan(parts[0]);
        if (parts.Length != 2 || plan is not { IsActive: true } || !BillingIntervalNames.TryParse(parts[1], out var interval)
            || plan.Current.Terms.Price(interval) is null || await customers.GetAsync(id, cancellationToken) is null)
        {
            return PageResults.Message(http, 400, "Choose a plan", "Pick one of the listed plans.");
        }

        var live = await customers.GetLiveSubscriptionAsync(id, cancellationToken);
        var result = live is null
            ? await billing.CreateAsync(Subscriptions.NewSubscription.Build(id, plan, interval, null, CollectionMethod.SendInvoice, options.Value.DaysUntilDue,
                data.Time), cancellationToken)
            : await billing.ChangePlanAsync(live.Id, plan.Current, interval, null, ProrationBehavior.CreateProrations, preview: false, cancellationToken);
        return result is BillingResult.Done
            ? Results.Redirect($"/admin/customers/{Uri.EscapeDataString(id)}?done=changed")
            : PageResults.Message(http, 409, "The change was not made", result is BillingResult.Conflict c ? c.Detail : "The subscription changed; reload the page.");
    }

    private static async Task<IResult> CancelAsync(
        string id, HttpContext http, AdminData data, CustomerStore customers, BillingStore billing, Payments.StripeSubscriptions stripe,
        CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var (reason, problem) = Subscriptions.CancelForm.Read(posted.Form);
        if (reason is null)
        {
            return PageResults.Message(http, 400, "Choose a reason", problem!);
        }

        // An unknown choice is refused, not read as the period's end: a scripted post that misspelt "now" would otherwise
        // leave the subscription running a month it meant to end.
        var when = posted.Form["when"].ToString();
        if (when is not ("period_end" or "now" or "now_waive_usage"))
        {
            return PageResults.Message(http, 400, "Choose when", "Choose when the subscription ends: at the period's end, or now.");
        }

        var live = await customers.GetLiveSubscriptionAsync(id, cancellationToken);
        if (live is null)
        {
            return PageResults.Message(http, 409, "No subscription", "The customer has no live subscription.");
        }

        // A Stripe-billed subscription is canceled through Stripe, which is told the reason, as the API does.
        // "Usage not billed" is the way out for usage recorded in error, or past what an invoice can hold.
        var now = when is "now" or "now_waive_usage";
        var (result, refused) = await Subscriptions.CancelForm.CancelAsync(live, atPeriodEnd: !now, creditUnused: now, reason, billing, stripe, cancellationToken,
            billUsage: when != "now_waive_usage");
        return result is BillingResult.Done
            ? Results.Redirect($"/admin/customers/{Uri.EscapeDataString(id)}?done=canceled")
            : PageResults.Message(http, refused?.StatusCode ?? 409, "The subscription was not canceled",
                result is BillingResult.Conflict c ? c.Detail : refused?.ProblemDetails.Detail ?? "Reload the page.");
    }

    internal static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("MMM d, yyyy", CultureInfo.InvariantCulture);
}
