using System.Globalization;
using System.Text;
using Tollgate.Core.Alerts;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Money;
using Tollgate.Storage.Billing;
using Tollgate.Server.Subscriptions;
using Tollgate.Storage.Catalog;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Portal;

/// <summary>The portal's page sections: plan, usage, alerts, plan change, invoices, and the change preview.</summary>
public static partial class PortalPages
{
    private static string TopBar(string product, Customer customer, PortalSession session) => $"""
        <header class="topbar"><div class="inner">
          <span class="brand">{E(product)}</span>
          <span class="muted">{E(customer.Email ?? customer.Id)}</span>
          <span class="row push">
            {(session.ReturnUrl is { } back ? $"<a href=\"{E(back)}\">Back to the app</a>" : "")}
            <form class="inline" method="post" action="/portal/sign-out">{CsrfField(session.Csrf)}<button class="secondary" type="submit">Sign out</button></form>
          </span>
        </div></header>
        """;

    private static string PlanCard(PortalView view, PortalSession session, bool stripe)
    {
        var s = view.Subscription;
        // What this subscription pays: a deal's price, times the seats on a per-seat price.
        var price = s is not null && view.Version is { } version ? s.PriceOn(version) : view.Version?.Terms.Price(BillingInterval.Monthly);
        var seats = s is not null && price is { PerSeat: true } ? $" · {s.SeatsOn(price)} seats" : "";
        var card = new StringBuilder("<section class=\"card stack\" aria-labelledby=\"plan-title\">");
        card.Append(CultureInfo.InvariantCulture, $"""
            <div class="spread"><h2 id="plan-title">Your plan</h2>{StatusBadge(s)}</div>
            <p class="price" data-testid="current-plan"><strong>{E(view.PlanName)}</strong>{seats}{(price is { PriceCents: > 0 } ? $" · {E(MinorUnits.Display(price.PriceCents, price.Currency))} a {(s?.BillingPeriod == BillingInterval.Yearly ? "year" : "month")}" : "")}</p>
            <p class="muted">Current period: {Date(view.Period.Start)} – {Date(view.Period.End)}</p>
            """);
        if (s is { Status: SubscriptionStatus.Trialing, TrialEndAt: { } trialEnd })
        {
            card.Append(CultureInfo.InvariantCulture, $"<p>Your trial ends on {Date(trialEnd)}.</p>");
        }

        if (s is { PastDueSince: not null })
        {
            card.Append("<p class=\"notice bad\">A payment is overdue. Pay the open invoice to keep your plan.</p>");
        }

        if (s is { IsLive: true, StripeSubscriptionId: not null })
        {
            card.Append(CultureInfo.InvariantCulture, $"""
                <p class="muted">{(s.CancelAtPeriodEnd ? $"Ends on {Date(s.CurrentPeriodEnd)}" : $"Renews on {Date(s.CurrentPeriodEnd)}")}. Billed through Stripe.</p>
                {(stripe ? StripeButton(session, "Manage plan and payment") : "")}
                {(s.CancelAtPeriodEnd ? "" : CancelDetails(session))}
                """);
        }
        else if (s is { CancelAtPeriodEnd: true })
        {
            card.Append(CultureInfo.InvariantCulture, $"""
                <p class="notice warn">Your subscription ends on {Date(s.CurrentPeriodEnd)}.</p>
                <form method="post" action="/portal/undo-cancel">{CsrfField(session.Csrf)}<button type="submit">Keep my subscription</button></form>
                """);
        }
        else if (s is { IsLive: true } && view.PendingPlanName is { } pending)
        {
            card.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\">Changes to {E(pending)} on {Date(s.CurrentPeriodEnd)}.</p>");
        }
        else if (s is { IsLive: true })
        {
            card.Append(CultureInfo.InvariantCulture, $"""
                <p class="muted">Renews on {Date(s.CurrentPeriodEnd)}.</p>
                {CancelDetails(session)}
                """);
        }

        if (view.Budget is { } budget)
        {
            card.Append(CultureInfo.InvariantCulture, $"""
                <div class="meter-row" data-feature="llm-budget"><div class="spread"><span>AI usage this period</span>
                <span>{E(Usd(budget.SpentNano))} of {E(Usd(budget.LimitNano))}</span></div>
                <meter class="meter" min="0" max="{budget.LimitNano}" value="{Math.Min(budget.SpentNano, budget.LimitNano)}" high="{budget.LimitNano * 9 / 10}" optimum="0" aria-label="AI usage"></meter>
                <span class="muted">{E(Usd(budget.RemainingNano))} left · resets {Date(view.Period.End)}</span></div>
                """);
        }

        return card.Append("</section>").ToString();
    }

    private static string StatusBadge(Subscription? s) => s?.Status switch
    {
        SubscriptionStatus.Trialing => "<span class=\"badge\">Trial</span>",
        SubscriptionStatus.PastDue => "<span class=\"badge bad\">Past due</span>",
        SubscriptionStatus.Active when s.CancelAtPeriodEnd => "<span class=\"badge warn\">Ending</span>",
        SubscriptionStatus.Active => "<span class=\"badge good\">Active</span>",
        _ => "<span class=\"badge\">Free</span>",
    };

    private static string UsageCard(PortalView view)
    {
        var card = new StringBuilder("<section class=\"card\" aria-labelledby=\"usage-title\"><h2 id=\"usage-title\">Usage this period</h2>");
        foreach (var feature in view.Features.Where(f => f.Kind == FeatureKind.Metered))
        {
            var grant = view.Usage.Context.Grant(feature.Code); // a per-seat limit times the seats, as consume counts it
            if (grant is not { IsIncluded: true })
            {
                continue;
            }

            var counter = view.Usage.Counter(feature.Code);
            var limit = QuotaRules.Limit(grant, counter.CarriedIn);
            var unit = E(QuotaDisplay.UnitFor(limit ?? counter.Used, feature.Unit));
            var line = limit is { } l
                ? $"{counter.Used:N0} of {l:N0} {unit}"
                : $"{counter.Used:N0} {unit} · unlimited";
            var detail = limit is { } max
                ? (counter.Used > max
                    ? $"{counter.Used - max:N0} over the limit{(grant.OverageUnitPriceCents is { } cents ? $", billed at {E(MinorUnits.Display(cents, view.Currency))} each" : "")}"
                    : $"{Math.Max(0, max - counter.Used - counter.Reserved):N0} left") + $" · resets {Date(view.Period.End)}"
                : $"resets {Date(view.Period.End)}";
            card.Append(CultureInfo.InvariantCulture, $"""
                <div class="meter-row" data-feature="{E(feature.Code)}">
                  <div class="spread"><span>{E(feature.Name)}</span><span data-testid="used">{line}</span></div>
                  {(limit is { } m ? $"<meter class=\"meter\" min=\"0\" max=\"{Math.Max(1, m)}\" value=\"{Math.Min(counter.Used, Math.Max(1, m))}\" high=\"{m * 8 / 10}\" optimum=\"0\" aria-label=\"{E(feature.Name)} used\"></meter>" : "")}
                  <span class="muted">{detail}</span>
                </div>
                """);
        }

        var gates = view.Features.Where(f => f.Kind == FeatureKind.Boolean && view.Version?.Terms.Feature(f.Code) is { Enabled: true }).ToList();
        if (gates.Count > 0)
        {
            card.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">Also included: {E(string.Join(", ", gates.Select(g => g.Name)))}.</p>");
        }

        return card.Append("</section>").ToString();
    }

    private static string AlertsSection(PortalView view, PortalSession session)
    {
        if (view.Alerts.Count == 0)
        {
            return "";
        }

        var section = new StringBuilder("<section aria-labelledby=\"alerts-title\"><h2 id=\"alerts-title\">Alerts</h2><div class=\"stack\">");
        foreach (var alert in view.Alerts)
        {
            var tone = alert.Severity switch { AlertSeverity.Critical => "bad", AlertSeverity.Warning => "warn", _ => "" };
            section.Append(CultureInfo.InvariantCulture, $"""
                <div class="notice {tone} spread" data-alert="{E(alert.Id)}"><span>{E(alert.Message)}</span>
                <form class="inline" method="post" action="/portal/alerts/{E(alert.Id)}/read">{CsrfField(session.Csrf)}<button class="secondary" type="submit">Dismiss</button></form></div>
                """);
        }

        return section.Append("</div></section>").ToString();
    }

    private static string CancelDetails(PortalSession session) => $"""
        <details data-testid="cancel"><summary>Cancel my subscription</summary>
        <form method="post" action="/portal/cancel" class="stack">{CsrfField(session.Csrf)}{CancelForm.Fields("cancel", "Why are you canceling?")}
        <button class="danger" type="submit">Cancel at period end</button></form></details>
        """;

    private static string StripeButton(PortalSession session, string label) =>
        $"""<form method="post" action="/portal/stripe">{CsrfField(session.Csrf)}<button type="submit">{E(label)}</button></form>""";

    private static string ChangeSection(PortalView view, PortalSession session, string? selectedPlan, string? selectedPeriod, bool stripe, string? promo = null)
    {
        if (view.Subscription is { IsLive: true, StripeSubscriptionId: not null })
        {
            return $"""
                <section id="change" aria-labelledby="change-title"><h2 id="change-title">Change plan</h2>
                <p>Your subscription is billed through Stripe: change your plan, payment method or billing details there.</p>
                {(stripe ? StripeButton(session, "Open the Stripe billing portal") : "")}</section>
                """;
        }

        var section = new StringBuilder($"""
            <section id="change" aria-labelledby="change-title"><h2 id="change-title">Change plan</h2>
            <form method="post" action="/portal/change/preview" class="card stack">{CsrfField(session.Csrf)}
            <fieldset><legend class="skip">Plan</legend><div class="grid">
            """);
        var currentPeriod = view.Subscription?.BillingPeriod ?? BillingInterval.Monthly;
        foreach (var plan in view.Plans)
        {
            foreach (var price in plan.Current.Terms.Prices.OrderBy(p => p.BillingPeriod))
            {
                var value = $"{plan.Code}:{price.BillingPeriod.ToWire()}";
                var current = plan.Code == view.PlanCode && price.BillingPeriod == currentPeriod;
                var selected = selectedPlan == plan.Code && (selectedPeriod ?? "monthly") == price.BillingPeriod.ToWire();
                section.Append(CultureInfo.InvariantCulture, $"""
                    <label class="card row" data-choice="{E(value)}"><input type="radio" name="choice" value="{E(value)}"{(selected ? " checked" : "")}{(current ? " disabled" : "")}>
                    <span><strong>{E(plan.Name)}</strong> · {(price.PriceCents == 0 ? "Free" : $"{E(MinorUnits.Display(price.PriceCents, price.Currency))} {(price.PerSeat ? "a seat " : "")}a {(price.BillingPeriod == BillingInterval.Yearly ? "year" : "month")}")}{(current ? " <span class=\"badge\">Current</span>" : "")}</span></label>
                    """);
            }
        }

        section.Append("</div></fieldset><label>Promotion code <input name=\"promotion_code\" autocomplete=\"off\" maxlength=\"64\" data-testid=\"promotion-code\" value=\"" + E(promo ?? "") + "\"></label>");
        section.Append("<button type=\"submit\">Preview the change</button></form></section>");
        return section.ToString();
    }

    private static string PreviewLines(BillingResult.Done done, string currency)
    {
        var total = done.Lines.Sum(l => l.NetCents);
        var discounted = done.Lines.Any(l => l.DiscountCents != 0);
        var lines = new StringBuilder();
        lines.Append(CultureInfo.InvariantCulture, $"<p data-testid=\"preview-summary\">{(done.Effective == ChangeTiming.PeriodEnd
            ? $"The change takes effect on {Date(done.EffectiveAt ?? done.Subscription.CurrentPeriodEnd)}. Nothing is charged today."
            : total >= 0 ? $"The change takes effect now. {E(MinorUnits.Display(total, currency))} is added to your next invoice."
            : $"The change takes effect now. {E(MinorUnits.Display(-total, currency))} is credited to your account.")}</p>");
        if (done.Lines.Count > 0)
        {
            lines.Append("<div class=\"table-scroll\"><table data-testid=\"preview-lines\"><thead><tr><th scope=\"col\">Line</th><th scope=\"col\" class=\"num\">Amount</th>");
            lines.Append(discounted ? "<th scope=\"col\" class=\"num\">Discount</th></tr></thead><tbody>" : "</tr></thead><tbody>");
            foreach (var line in done.Lines)
            {
                lines.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(line.Description)}</td><td class=\"num\">{E(MinorUnits.Display(line.AmountCents, currency))}</td>");
                lines.Append(discounted ? $"<td class=\"num\">{E(MinorUnits.Display(-line.DiscountCents, currency))}</td></tr>" : "</tr>");
            }

            lines.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">Total</th><td class=\"num\"{(discounted ? " colspan=\"2\"" : "")}><strong>{E(MinorUnits.Display(total, currency))}</strong></td></tr></tbody></table></div>");
        }

        return lines.ToString();
    }
}
