using Microsoft.Extensions.Options;
using Tollgate.Core.Alerts;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Alerts;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Web.Portal;

/// <summary>What one portal page shows about a customer.</summary>
public sealed record PortalView(
    Customer Customer, Subscription? Subscription, PlanVersion? Version, string PlanCode, string PlanName, string? PendingPlanName, BillingPeriodView Period,
    PeriodUsage Usage, IReadOnlyList<Feature> Features, IReadOnlyList<Plan> Plans, IReadOnlyList<UsageAlert> Alerts, IReadOnlyList<Invoice> Invoices,
    BudgetState? Budget, string Currency, string? DefaultPlanCode, bool HadSubscription, Invoice? Upcoming = null, bool UpcomingUnbillable = false,
    Func<string, string?>? PlanNames = null)
{
    /// <summary>The trial a new subscription to <paramref name="price"/> gets: none after an earlier subscription.</summary>
    public int TrialDays(PlanPrice price) => HadSubscription ? 0 : price.TrialDays;

    /// <summary>
    /// Whether a plan and period are what the customer is on and stays on: the picker disables it, and a post choosing it
    /// is refused. With a change scheduled, choosing the current plan keeps it, so it is a choice.
    /// </summary>
    public bool IsCurrent(string planCode, BillingInterval interval) =>
        planCode == PlanCode && interval == (Subscription?.BillingPeriod ?? BillingInterval.Monthly) && Subscription?.PendingPlanVersionId is null;
}

/// <summary>A period's start and end.</summary>
public sealed record BillingPeriodView(DateTimeOffset Start, DateTimeOffset End);

/// <summary>Everything the portal reads from, injected as one.</summary>
public sealed class PortalData(
    PageSigning signing, CustomerStore customers, UsageQueries usage, AlertStore alerts, InvoiceStore invoices, EntitlementStore entitlements,
    BillingStore billing, BillingCycle cycle, CatalogCache catalog, IOptions<PagesOptions> options, IOptions<BillingOptions> billingOptions, TimeProvider time,
    ILogger<PortalData> logger)
{
    public PageSigning Signing => signing;
    public CustomerStore Customers => customers;
    public AlertStore Alerts => alerts;
    public InvoiceStore Invoices => invoices;
    public BillingStore Billing => billing;
    public IOptions<PagesOptions> Options => options;
    public IOptions<BillingOptions> BillingOptions => billingOptions;
    public TimeProvider Time => time;
    public CatalogCache Catalog => catalog;

    public async Task<PortalView?> LoadAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        var period = await usage.CurrentPeriodAsync(customerId, cancellationToken);
        if (customer is null || period is null)
        {
            return null;
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        var live = await customers.GetLiveSubscriptionAsync(customerId, cancellationToken);
        var context = period.Context;
        var pending = live?.PendingPlanVersionId is { } pendingId ? (await catalog.GetVersionAsync(pendingId, cancellationToken))?.PlanCode : null;
        var planCode = context.PlanCode ?? snapshot.DefaultPlan ?? "";
        // The customer's one currency: its own, else its subscription's, else the plan's default.
        var fixedCurrency = customer.Currency ?? (live is { Currency.Length: > 0 } ? live.Currency : null);
        var currency = fixedCurrency ?? context.Version?.Terms.DefaultCurrency ?? "USD";
        var (upcoming, unbillable) = live is null ? (null, false) : await UpcomingAsync(customerId, cancellationToken);
        return new PortalView(customer, live, context.Version, planCode, snapshot.Plan(planCode)?.Name ?? planCode,
            pending is null ? null : snapshot.Plan(pending)?.Name ?? pending, new BillingPeriodView(context.Period.Start, context.Period.End), period,
            snapshot.Features, PickerPlans(snapshot, context.PlanCode, live?.BillingPeriod ?? BillingInterval.Monthly, fixedCurrency),
            await alerts.ListAsync(customerId, unreadOnly: true, 20, cancellationToken),
            await invoices.ListAsync(customerId, cancellationToken), (await entitlements.BudgetAsync(customerId, cancellationToken))?.Budget, currency,
            snapshot.DefaultPlan, (await customers.ListSubscriptionsAsync(customerId, cancellationToken)).Count > 0, upcoming, unbillable,
            code => snapshot.Plan(code)?.Name);
    }

    /// <summary>
    /// The next invoice, or that none can be computed: usage whose amount no invoice holds is the operator's to settle
    /// (a cancel with bill_usage false), and the rest of the customer's page still shows.
    /// </summary>
    private async Task<(Invoice? Upcoming, bool Unbillable)> UpcomingAsync(string customerId, CancellationToken cancellationToken)
    {
        try
        {
            return (await cycle.UpcomingAsync(customerId, cancellationToken), false);
        }
        catch (OverflowException e)
        {
            logger.LogError(e, "The next invoice of customer {Customer} is past the largest billable amount; the portal shows it as unavailable", customerId);
            return (null, true);
        }
    }

    /// <summary>
    /// The plans the picker offers: the public ones, and a private plan only to its own subscriber, at the price they
    /// pay, so it shows as current without offering the deal at any other price. A customer with a currency sees the
    /// prices in it only (a free plan at 0 in it), and not the plans that lack it; one without sees each plan's default
    /// currency, the one it would be sold in, so a period is offered once, never once per currency.
    /// </summary>
    private static IReadOnlyList<Plan> PickerPlans(CatalogSnapshot snapshot, string? subscribedPlan, BillingInterval period, string? currency) =>
        [.. snapshot.ActivePlans.Where(p => !p.IsPrivate || p.Code == subscribedPlan).Select(p => p.IsPrivate
            ? p with { Current = p.Current with { Terms = p.Current.Terms with { Prices = [.. p.Current.Terms.Prices.Where(x => x.BillingPeriod == period)] } } }
            : p)
            .Where(p => currency is null || p.Current.Terms.Prices.Count == 0 || p.Current.Terms.Offers(currency))
            .Select(p => (currency ?? p.Current.Terms.DefaultCurrency) is { } shown
                ? p with { Current = p.Current with { Terms = p.Current.Terms.InCurrency(shown) } }
                : p)];
}
