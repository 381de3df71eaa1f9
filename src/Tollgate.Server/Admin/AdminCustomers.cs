using System.Globalization;
using System.Text;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Money;
using Tollgate.Storage.Alerts;
using Tollgate.Storage.Billing;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Entitlements;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

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
        string id, HttpContext http, string? done, string? usage, AdminData data, CustomerStore customers, UsageQueries queries, UsageHistory history,
        InvoiceStore invoices, AlertStore alerts, CatalogCache catalog, Storage.Grants.CreditGrantStore grants, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var customer = await customers.GetAsync(id, cancellationToken);
        var period = await queries.CurrentPeriodAsync(id, cancellationToken);
        if (customer is null || period is null)
        {
            return Message(http, 404, "No such customer", $"There is no customer '{id}'.");
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        var subscription = await customers.GetLiveSubscriptionAsync(id, cancellationToken);
        var costs = await data.CustomerCostsAsync(id, 30, cancellationToken);
        var page = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <p><a href="/admin/customers">← Customers</a></p>
            <h1>{E(customer.Name ?? customer.Id)}</h1>
            <p class="lead">{E(customer.Id)}{(customer.Email is { } email ? " · " + E(email) : "")}</p>
            {(done is null ? "" : $"<p class=\"notice good\" role=\"status\">{E(done switch { "canceled" => "The subscription was canceled.", "granted" => "The credits were granted.", _ => "The plan was changed." })}</p>")}
            <div class="grid wide">
            <section class="card stack"><h2>Subscription</h2>
            """);
        if (subscription is null)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p>No subscription: on the {E(period.Context.PlanCode ?? "default")} plan.</p>");
        }
        else
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <p data-testid="subscription"><strong>{E(subscription.PlanCode)}</strong> · {E(subscription.BillingPeriod.ToWire())} · {E(subscription.Status.ToWire())}{(subscription.CancelAtPeriodEnd ? " · ends at period end" : "")}</p>
                <p class="muted">{E(subscription.Id)} · period {Day(subscription.CurrentPeriodStart)} – {Day(subscription.CurrentPeriodEnd)}</p>
                {SeatsAndDeal.Describe(subscription, await catalog.GetVersionAsync(subscription.PlanVersionId, cancellationToken))}
                """);
        }

        page.Append(ChangeForm(user, customer.Id, snapshot, subscription));
        page.Append("</section><section class=\"card\"><h2>Usage this period</h2><div class=\"table-scroll\"><table><thead><tr><th scope=\"col\">Feature</th><th scope=\"col\" class=\"num\">Used</th><th scope=\"col\" class=\"num\">Limit</th></tr></thead><tbody>");
        foreach (var feature in snapshot.Features.Where(f => f.Kind == FeatureKind.Metered))
        {
            var grant = period.Context.Grant(feature.Code);
            var counter = period.Counter(feature.Code);
            var limit = grant is null ? "not included" : QuotaRules.Limit(grant, counter.CarriedIn)?.ToString("N0", CultureInfo.InvariantCulture) ?? "unlimited";
            page.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(feature.Name)}</td><td class=\"num\">{counter.Used:N0}</td><td class=\"num\">{E(limit)}</td></tr>");
        }

        page.Append("</tbody></table></div></section></div>");
        var (chart, refused) = await AdminUsageChart.SectionAsync(customer.Id, usage, history, catalog, data.Time, cancellationToken);
        page.Append(chart);
        var calls = $"<a href=\"{E(ConsoleLists.Href("/admin/llm-calls", ("customer", customer.Id)))}\">LLM calls</a>";
        page.Append(costs is null
            ? $"<section class=\"card\"><h2>Revenue and LLM cost, 30 days</h2><p>{calls}</p></section>"
            : $"""
                <section class="card"><h2>Revenue and LLM cost, 30 days</h2>
                <p>Revenue {ConsoleMoney.Usd(costs.TotalRevenueUsd)} · LLM cost {ConsoleMoney.Usd(costs.TotalLlmCostUsd)} · margin {ConsoleMoney.Usd(costs.MarginUsd)} · {calls}: {costs.TotalRequests:N0} {(costs.TotalRequests == 1 ? "call" : "calls")}</p>
                </section>
                """);

        page.Append(await AdminGrants.SectionAsync(user, customer.Id, snapshot, period.Context.Version?.Terms.LlmBudgetNanoUsd is not null, grants, data.Time.GetUtcNow(), cancellationToken));
        page.Append("<div class=\"grid wide\"><section class=\"card\"><h2>Invoices</h2>");
        var list = await invoices.ListAsync(id, cancellationToken);
        page.Append(list.Count == 0 ? "<p class=\"muted\">None.</p>" : "<div class=\"table-scroll\"><table><thead><tr><th scope=\"col\">Number</th><th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">Amount</th></tr></thead><tbody>");
        foreach (var invoice in list)
        {
            page.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(invoice.Number)}</td><td>{E(invoice.Status.ToWire())}</td><td class=\"num\">{E(MinorUnits.Display(invoice.AmountDueCents, invoice.Currency))}</td></tr>");
        }

        page.Append(list.Count == 0 ? "" : "</tbody></table></div>");
        page.Append("</section><section class=\"card\"><h2>Alerts</h2>");
        var recent = await alerts.ListAsync(id, unreadOnly: false, 20, cancellationToken);
        page.Append(recent.Count == 0 ? "<p class=\"muted\">None.</p>" : "<ul>");
        foreach (var alert in recent)
        {
            page.Append(CultureInfo.InvariantCulture, $"<li>{Day(alert.CreatedAt)}: {E(alert.Message)}{(alert.ReadAt is null ? "" : " <span class=\"muted\">(read)</span>")}</li>");
        }

        page.Append(recent.Count == 0 ? "</section></div>" : "</ul></section></div>");
        return AdminLayout.Page(http, user, "/admin/customers", customer.Id, page.ToString(), data.Product, status: refused ? 400 : 200);
    }

    private static string ChangeForm(AdminUser user, string customer, CatalogSnapshot catalog, Subscription? subscription)
    {
        // Opens on the current plan (or on no plan at all), never on the first listed: a stray click must not downgrade.
        var current = subscription is { IsLive: true } live ? $"{live.PlanCode}:{live.BillingPeriod.ToWire()}" : null;
        var options = new StringBuilder(current is null ? "<option value=\"\" selected disabled>Choose a plan…</option>" : "");
        foreach (var plan in catalog.ActivePlans)
        {
            foreach (var price in plan.Current.Terms.Prices)
            {
                var value = $"{plan.Code}:{price.BillingPeriod.ToWire()}";
                options.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(value)}\"{(value == current ? " selected" : "")}>{E(plan.Name)} · {E(MinorUnits.Display(price.PriceCents, price.Currency))} {E(price.BillingPeriod.ToWire())}{(plan.IsPrivate ? " (private)" : "")}{(value == current ? " (current)" : "")}</option>");
            }
        }

        var cancel = subscription is { IsLive: true }
            ? $"""
              <details data-testid="cancel"><summary>Cancel subscription</summary>
              <form method="post" action="/admin/customers/{Uri.EscapeDataString(customer)}/cancel" class="stack">{CsrfField(user.Csrf)}
                {CancelFields("cancel", "Reason the customer gave")}
                <label for="cancel-when">When</label>
                <select id="cancel-when" name="when"><option value="period_end">At period end</option><option value="now">Now, crediting unused time</option></select>
                <button class="danger" type="submit">Cancel subscription</button></form></details>
              """
            : "";
        return $"""
            <form method="post" action="/admin/customers/{Uri.EscapeDataString(customer)}/change" class="row">{CsrfField(user.Csrf)}
              <label for="choice">Plan</label><select id="choice" name="choice" required>{options}</select>
              <button type="submit">{(subscription is { IsLive: true } ? "Change plan" : "Subscribe")}</button>
            </form>
            {cancel}
            """;
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
            return Message(http, 400, "Choose a plan", "Pick one of the listed plans.");
        }

        var live = await customers.GetLiveSubscriptionAsync(id, cancellationToken);
        var result = live is null
            ? await billing.CreateAsync(Subscriptions.NewSubscription.Build(id, plan, interval, null, CollectionMethod.SendInvoice, options.Value.DaysUntilDue,
                data.Time), cancellationToken)
            : await billing.ChangePlanAsync(live.Id, plan.Current, interval, null, ProrationBehavior.CreateProrations, preview: false, cancellationToken);
        return result is BillingResult.Done
            ? Results.Redirect($"/admin/customers/{Uri.EscapeDataString(id)}?done=changed")
            : Message(http, 409, "The change was not made", result is BillingResult.Conflict c ? c.Detail : "The subscription changed; reload the page.");
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
            return Message(http, 400, "Choose a reason", problem!);
        }

        var live = await customers.GetLiveSubscriptionAsync(id, cancellationToken);
        if (live is null)
        {
            return Message(http, 409, "No subscription", "The customer has no live subscription.");
        }

        // A Stripe-billed subscription is canceled through Stripe, which is told the reason, as the API does.
        var now = posted.Form["when"] == "now";
        var (result, refused) = await Subscriptions.CancelForm.CancelAsync(live, atPeriodEnd: !now, creditUnused: now, reason, billing, stripe, cancellationToken);
        return result is BillingResult.Done
            ? Results.Redirect($"/admin/customers/{Uri.EscapeDataString(id)}?done=canceled")
            : Message(http, refused?.StatusCode ?? 409, "The subscription was not canceled",
                result is BillingResult.Conflict c ? c.Detail : refused?.ProblemDetails.Detail ?? "Reload the page.");
    }

    internal static string Day(DateTimeOffset at) => E(at.UtcDateTime.ToString("MMM d, yyyy", CultureInfo.InvariantCulture));
}
