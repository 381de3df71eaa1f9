using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Core.Billing;
using Tollgate.Core.Llm;
using Tollgate.Core.Metrics;
using Tollgate.Server.Http;
using Tollgate.Server.Metrics;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Llm;

/// <summary>Revenue against LLM cost, per customer, feature, model, plan and day, read from rollups only.</summary>
public static class LlmStatsApi
{
    public static RouteGroupBuilder MapLlmStats(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/stats").WithTags("Stats").RequireAuthorization(Policies.Admin);
        group.MapGet("/revenue-vs-cost", RevenueVsCostAsync);
        group.MapGet("/user-costs/{customer}", UserCostsAsync);
        group.MapGet("/features", FeaturesAsync);
        group.MapGet("/plans", PlansAsync);
        group.MapGet("/top-spenders", (int? days, int? limit, [FromServices] Services s, CancellationToken ct) => RankedAsync(days, limit, s, byCost: true, ct));
        group.MapGet("/negative-margin", (int? days, int? limit, [FromServices] Services s, CancellationToken ct) => RankedAsync(days, limit, s, byCost: false, ct));
        return group;
    }

    /// <summary>What every stats endpoint reads from, injected as one.</summary>
    public sealed record Services(LlmStatsQueries Llm, RevenueQueries Revenue, ModelPriceStore Prices, CatalogCache Catalog, CustomerStore Customers,
        EntitlementContextCache Contexts, IOptions<MetricsOptions> Metrics, ReportingCurrency Reporting, TimeProvider Time);

    /// <summary>
    /// One window's reads that several reports share, each read once however many ask: the revenue lines over it and each
    /// customer's LLM cost in it. The console's dashboard shows four reports over one window, which read the lines four
    /// times (0.1–0.4 s each at 100,000 invoices), each at its own instant of a ticking clock.
    /// </summary>
    internal sealed class WindowReads(StatsWindow window, Services s, CancellationToken cancellationToken)
    {
        private Task<IReadOnlyDictionary<string, IReadOnlyList<RevenueLine>>>? _lines;
        private Task<IReadOnlyList<(string Customer, long Calls, long CostNano)>>? _costs;

        public StatsWindow Window => window;

        public Task<IReadOnlyDictionary<string, IReadOnlyList<RevenueLine>>> RevenueLinesAsync() =>
            _lines ??= s.Revenue.LinesAsync(window.From, window.To, null, cancellationToken);

        public Task<IReadOnlyList<(string Customer, long Calls, long CostNano)>> CustomerCostsAsync() =>
            _costs ??= s.Llm.CustomerCostsAsync(window.FirstDay, window.LastDay, cancellationToken);
    }

    private static async Task<Results<Ok<RevenueVsCostResponse>, ProblemHttpResult>> RevenueVsCostAsync(
        int? days, [FromServices] Services s, CancellationToken cancellationToken) =>
        WindowOf(days, s.Time) is { } w ? TypedResults.Ok(await ReadRevenueVsCostAsync(new WindowReads(w, s, cancellationToken), s, cancellationToken))
        : DaysProblem();

    /// <summary>Revenue against LLM cost over the window: what the endpoint answers and the console's dashboard shows.</summary>
    internal static async Task<RevenueVsCostResponse> ReadRevenueVsCostAsync(WindowReads reads, Services s, CancellationToken cancellationToken)
    {
        var w = reads.Window;
        var rates = s.Reporting.Rates;
        var (revenue, unconverted) = w.DailyRevenue(await reads.RevenueLinesAsync(), rates);
        var paid = await s.Revenue.PaymentsAsync(w.From, w.To, null, cancellationToken);
        var payments = StatsWindow.Payments(paid, rates);
        var byModel = await ModelsAsync(s, w, null, cancellationToken);
        var byDay = (await s.Llm.GroupAsync("day", w.FirstDay, w.LastDay, null, cancellationToken)).ToDictionary(g => g.Key);
        var active = await s.Llm.ActiveCustomersAsync(w.FirstDay, cancellationToken);
        var costNano = byDay.Values.Sum(g => g.CostNano);
        var totalCost = NanoUsdAmount.ToUsd(costNano);
        // Profit takes the cost in the reporting currency, at USD's configured rate: revenue is in that currency.
        var cost = StatsWindow.CostIn(costNano, rates);
        var requests = byDay.Values.Sum(g => g.Calls);
        var totalRevenue = StatsWindow.Cents(revenue.Sum());
        var profit = totalRevenue - (cost ?? 0);
        return new RevenueVsCostResponse(
            w.Days, w.From, w.To, rates.Currency, totalRevenue, StatsWindow.Cents(payments), StatsWindow.Round(totalCost),
            StatsWindow.Round(profit), StatsWindow.Percent(profit, totalRevenue) ?? 0m,
            requests, active.GetValueOrDefault(LlmStatsQueries.AnyFeature),
            requests == 0 ? 0 : StatsWindow.Round(totalCost / requests), byDay.Values.Sum(g => g.UnpricedCalls), byModel,
            await FeaturesCostAsync(s, w, null, active, cancellationToken), Daily(w, revenue, byDay, rates), rates.Currency, s.Reporting.Configured,
            StatsWindow.WithCost(unconverted.Union(StatsWindow.Unconverted(paid.Keys, rates)), costNano, rates), StatsWindow.Round(cost));
    }

    private static async Task<Results<Ok<CustomerCostResponse>, ProblemHttpResult>> UserCostsAsync(
        string customer, int? days, [FromServices] Services s, CancellationToken cancellationToken) =>
        WindowOf(days, s.Time) is not { } w ? DaysProblem()
        : await ReadUserCostsAsync(customer, w, s, cancellationToken) is { } costs ? TypedResults.Ok(costs)
        : Problems.NotFound("customer", customer);

    /// <summary>One customer's revenue, cost and margin over <paramref name="w"/>; null when there is no such customer.</summary>
    internal static async Task<CustomerCostResponse?> ReadUserCostsAsync(string customer, StatsWindow w, Services s, CancellationToken cancellationToken)
    {
        if (await s.Customers.GetAsync(customer, cancellationToken) is null)
        {
            return null;
        }

        var rates = s.Reporting.Rates;
        var (revenue, unconverted) = w.DailyRevenue(await s.Revenue.LinesAsync(w.From, w.To, customer, cancellationToken), rates);
        var paid = await s.Revenue.PaymentsAsync(w.From, w.To, customer, cancellationToken);
        var byDay = (await s.Llm.GroupAsync("day", w.FirstDay, w.LastDay, customer, cancellationToken)).ToDictionary(g => g.Key);
        var costNano = byDay.Values.Sum(g => g.CostNano);
        var cost = StatsWindow.CostIn(costNano, rates);
        var totalRevenue = StatsWindow.Cents(revenue.Sum());
        var margin = totalRevenue - (cost ?? 0);
        var plan = (await s.Customers.GetLiveSubscriptionAsync(customer, cancellationToken))?.PlanCode
            ?? (await s.Catalog.GetAsync(cancellationToken)).DefaultPlan;
        return new CustomerCostResponse(customer, plan, w.Days, totalRevenue,
            StatsWindow.Cents(StatsWindow.Payments(paid, rates)),
            StatsWindow.Round(NanoUsdAmount.ToUsd(costNano)), StatsWindow.Round(margin), StatsWindow.Percent(margin, totalRevenue),
            byDay.Values.Sum(g => g.Calls), await FeaturesCostAsync(s, w, customer, null, cancellationToken), await ModelsAsync(s, w, customer, cancellationToken),
            Daily(w, revenue, byDay, rates), rates.Currency, s.Reporting.Configured,
            StatsWindow.WithCost(unconverted.Union(StatsWindow.Unconverted(paid.Keys, rates)), costNano, rates), StatsWindow.Round(cost));
    }

    private static async Task<Results<Ok<IReadOnlyList<FeatureStats>>, ProblemHttpResult>> FeaturesAsync(
        int? days, [FromServices] Services s, CancellationToken cancellationToken)
    {
        if (WindowOf(days, s.Time) is not { } w)
        {
            return DaysProblem();
        }

        var catalog = await s.Catalog.GetAsync(cancellationToken);
        var usage = (await s.Llm.FeatureUsageAsync(w.FirstDay, w.LastDay, cancellationToken)).ToDictionary(u => u.Feature);
        var cost = (await s.Llm.GroupAsync("feature_code", w.FirstDay, w.LastDay, null, cancellationToken)).ToDictionary(g => g.Key);
        var active = await s.Llm.ActiveCustomersAsync(w.FirstDay, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<FeatureStats>>([.. catalog.Features.Select(f =>
        {
            var units = usage.GetValueOrDefault(f.Code).Units;
            var group = cost.GetValueOrDefault(f.Code);
            var usd = NanoUsdAmount.ToUsd(group?.CostNano ?? 0);
            return new FeatureStats(f.Code, f.Name, f.UsesLlm, units, Math.Max(usage.GetValueOrDefault(f.Code).Customers, active.GetValueOrDefault(f.Code)),
                group?.Calls ?? 0, StatsWindow.Round(usd), units == 0 ? null : StatsWindow.Round(usd / units));
        })]);
    }

    private static async Task<Results<Ok<IReadOnlyList<PlanStats>>, ProblemHttpResult>> PlansAsync(
        int? days, [FromServices] Services s, CancellationToken cancellationToken) =>
        WindowOf(days, s.Time) is { } w ? TypedResults.Ok(await ReadPlansAsync(new WindowReads(w, s, cancellationToken), s, cancellationToken)) : DaysProblem();

    /// <summary>Each plan's customers, MRR, revenue, cost and margin over the window.</summary>
    internal static async Task<IReadOnlyList<PlanStats>> ReadPlansAsync(WindowReads reads, Services s, CancellationToken cancellationToken)
    {
        var w = reads.Window;
        var catalog = await s.Catalog.GetAsync(cancellationToken);
        var rates = s.Reporting.Rates;
        var policy = s.Metrics.Value.ToPolicy();
        var live = await s.Customers.LiveSubscriptionsAsync(cancellationToken);
        var subscribedCustomers = live.Select(x => x.CustomerId).Distinct(StringComparer.Ordinal).Count();
        var withoutSubscription = await s.Customers.CountAsync(cancellationToken) - subscribedCustomers;
        var revenue = w.RevenueBy(await reads.RevenueLinesAsync(), rates, l => l.PlanCode ?? "");
        var cost = (await s.Llm.GroupAsync("plan_code", w.FirstDay, w.LastDay, null, cancellationToken)).ToDictionary(g => g.Key);
        // MRR now follows the SaaS report's rule: a credit note on a recurring fee lowers it over the credited period.
        var now = s.Time.GetUtcNow();
        var credits = s.Metrics.Value.CreditNotesLowerMrr ? await s.Revenue.RecurringCreditsAsync(now, cancellationToken) : [];
        var result = new List<PlanStats>();
        foreach (var plan in catalog.Plans)
        {
            var subscriptions = live.Where(x => x.PlanCode == plan.Code).ToList();
            var mrrTwelfths = new List<(string Currency, decimal Twelfths)>();
            var paying = 0;
            foreach (var subscription in subscriptions)
            {
                var version = await s.Catalog.GetVersionAsync(subscription.PlanVersionId, cancellationToken);
                // What the subscription pays: its currency's price, its deal and its seats.
                var price = version is null ? null : subscription.PriceOn(version);
                // Each subscription in its own currency; the plan's MRR sums per currency and converts each sum once.
                var mrr = price is null || !rates.CanConvert(price.Currency) ? 0 : (policy with { Currency = price.Currency }).MrrTwelfths(CreditedMrr.At(
                    new SubscriptionState(subscription.Id, subscription.CustomerId, now, 0, "", subscription.Status, plan.Code, subscription.PlanVersionId,
                        subscription.BillingPeriod, price.PriceCents, price.Currency, subscription.CancelAtPeriodEnd, false), credits));
                mrrTwelfths.Add((price?.Currency ?? rates.Currency, mrr));
                paying += mrr > 0 ? 1 : 0;
            }

            var customers = subscriptions.Count + (plan.Code == catalog.DefaultPlan ? withoutSubscription : 0);
            var planRevenue = StatsWindow.Cents(revenue.GetValueOrDefault(plan.Code));
            var planNano = cost.GetValueOrDefault(plan.Code)?.CostNano ?? 0;
            var planCost = StatsWindow.CostIn(planNano, rates);
            var margin = planRevenue - (planCost ?? 0);
            result.Add(new PlanStats(plan.Code, plan.Name, customers, paying,
                StatsWindow.Cents(rates.Sum(mrrTwelfths).Minor / 12m / Core.Money.MinorUnits.Factor(rates.Currency)), planRevenue,
                StatsWindow.Round(NanoUsdAmount.ToUsd(planNano)), StatsWindow.Round(margin), StatsWindow.Percent(margin, planRevenue), StatsWindow.Round(planCost)));
        }

        return result;
    }

    private static async Task<Results<Ok<IReadOnlyList<CustomerMargin>>, ProblemHttpResult>> RankedAsync(
        int? days, int? limit, Services s, bool byCost, CancellationToken cancellationToken) =>
        WindowOf(days, s.Time) is not { } w ? DaysProblem()
        : limit is < 1 or > 1000 ? Problems.Validation("limit", "must be from 1 to 1000")
        : TypedResults.Ok(await ReadRankedAsync(new WindowReads(w, s, cancellationToken), limit ?? 10, s, byCost, cancellationToken));

    /// <summary>The <paramref name="limit"/> customers with the highest LLM cost (or the most negative margin) over the window.</summary>
    internal static async Task<IReadOnlyList<CustomerMargin>> ReadRankedAsync(WindowReads reads, int limit, Services s, bool byCost,
        CancellationToken cancellationToken)
    {
        var w = reads.Window;
        var rates = s.Reporting.Rates;
        var revenue = w.RevenueBy(await reads.RevenueLinesAsync(), rates, l => l.CustomerId)
            .ToDictionary(r => r.Key, r => StatsWindow.Cents(r.Value), StringComparer.Ordinal);
        var cost = (await reads.CustomerCostsAsync()).ToDictionary(g => g.Customer);
        var rows = cost.Keys.Union(revenue.Keys).Select(c =>
        {
            var nano = cost.GetValueOrDefault(c).CostNano;
            var converted = StatsWindow.CostIn(nano, rates);
            var rev = revenue.GetValueOrDefault(c);
            return new CustomerMargin(c, null, rev, StatsWindow.Round(NanoUsdAmount.ToUsd(nano)), StatsWindow.Round(rev - (converted ?? 0)),
                cost.GetValueOrDefault(c).Calls, StatsWindow.Round(converted));
        });
        var ranked = (byCost ? rows.Where(r => r.LlmCostUsd > 0).OrderByDescending(r => r.LlmCostUsd) : rows.Where(r => r.MarginUsd < 0).OrderBy(r => r.MarginUsd))
            .ThenBy(r => r.Customer, StringComparer.Ordinal).Take(limit).ToList();
        var withPlans = new List<CustomerMargin>();
        foreach (var row in ranked)
        {
            withPlans.Add(row with { Plan = (await s.Customers.GetLiveSubscriptionAsync(row.Customer, cancellationToken))?.PlanCode });
        }

        return withPlans;
    }

    private static StatsWindow? WindowOf(int? days, TimeProvider time) =>
        (days ?? 30) is >= 1 and <= StatsWindow.MaxDays ? StatsWindow.Ending(time.GetUtcNow(), days ?? 30) : null;

    private static ProblemHttpResult DaysProblem() => Problems.Validation("days", $"must be from 1 to {StatsWindow.MaxDays}");

    private static async Task<IReadOnlyList<ModelCost>> ModelsAsync(Services s, StatsWindow w, string? customer, CancellationToken cancellationToken)
    {
        var book = await s.Prices.BookAsync(cancellationToken);
        var now = s.Time.GetUtcNow();
        return [.. (await s.Llm.GroupAsync("model", w.FirstDay, w.LastDay, customer, cancellationToken)).OrderByDescending(g => g.CostNano)
            .Select(g => new ModelCost(g.Key, book.Find(g.Key, now)?.Provider, g.Calls, g.InputTokens, g.OutputTokens, g.CachedInputTokens,
                g.CacheWriteTokens, g.ReasoningTokens, StatsWindow.Round(NanoUsdAmount.ToUsd(g.CostNano)), g.UnpricedCalls))];
    }

    /// <summary>Cost per feature; users per feature come from <paramref name="active"/> across customers, or are 1 for one customer.</summary>
    private static async Task<IReadOnlyList<FeatureCost>> FeaturesCostAsync(
        Services s, StatsWindow w, string? customer, IReadOnlyDictionary<string, long>? active, CancellationToken cancellationToken) =>
        [.. (await s.Llm.GroupAsync("feature_code", w.FirstDay, w.LastDay, customer, cancellationToken)).OrderByDescending(g => g.CostNano)
            .Select(g => new FeatureCost(g.Key, g.Calls, StatsWindow.Round(NanoUsdAmount.ToUsd(g.CostNano)), active?.GetValueOrDefault(g.Key) ?? g.Customers))];

    private static IReadOnlyList<DailyRevenueCost> Daily(StatsWindow w, decimal[] revenue, IReadOnlyDictionary<string, LlmGroup> byDay, ReportingRates rates) =>
        [.. w.EachDay.Select((day, i) =>
        {
            var nano = byDay.GetValueOrDefault(day)?.CostNano ?? 0;
            var cost = StatsWindow.CostIn(nano, rates);
            return new DailyRevenueCost(day, StatsWindow.Round(revenue[i]), StatsWindow.Round(NanoUsdAmount.ToUsd(nano)), StatsWindow.Round(revenue[i] - (cost ?? 0)),
                byDay.GetValueOrDefault(day)?.Calls ?? 0, StatsWindow.Round(cost));
        })];
}
