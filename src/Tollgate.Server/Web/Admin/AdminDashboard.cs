using System.Globalization;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;

namespace Tollgate.Server.Web.Admin;

/// <summary>The console's sign-in and dashboard: MRR and its movements, revenue against LLM cost, costs, plans, customers and alerts.</summary>
public static class AdminDashboard
{
    public static IEndpointRouteBuilder MapAdminConsole(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin").ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        group.MapGet("/login", (HttpContext http, IOptions<PagesOptions> options) => LoginPage(http, options.Value, notice: null, 200));
        group.MapPost("/login", LoginAsync);
        group.MapPost("/logout", LogoutAsync);
        group.MapGet("/", DashboardAsync);
        group.MapAdminCustomers();
        group.MapAdminInvoices();
        group.MapAdminCatalog();
        group.MapAdminWebhooks();
        group.MapAdminExports();
        group.MapAdminCoupons();
        group.MapAdminTaxRates();
        group.MapAdminLlmCalls();
        group.MapAdminExperiments();
        return app;
    }

    private static IResult LoginPage(HttpContext http, PagesOptions options, string? notice, int status) =>
        PageResults.Render<LoginPage>(http, new { Lifetime = Lifetime(options.SessionLifetime), Notice = notice }, status: status);

    private static async Task<IResult> LoginAsync(
        HttpContext http, AdminSession session, SignInThrottle throttle, IOptions<PagesOptions> options, CancellationToken cancellationToken)
    {
        if (throttle.RetryAfter(http) is { } wait)
        {
            var seconds = (long)Math.Ceiling(wait.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return LoginPage(http, options.Value, $"Too many wrong keys from this address. Try again in {(Math.Ceiling(seconds / 60.0) is var m && m == 1 ? "1 minute" : $"{m:0} minutes")}.", 429);
        }

        var key = http.Request.HasFormContentType ? (await http.Request.ReadFormAsync(cancellationToken))["key"].ToString() : null;
        if (await session.SignInAsync(http, key, cancellationToken))
        {
            throttle.Succeeded(http);
            return Results.Redirect("/admin");
        }

        throttle.Failed(http);
        return LoginPage(http, options.Value, "That is not an active admin key.", 401);
    }

    /// <summary>"In USD; converted at EUR 1.08. Not converted, no rate: GBP.", so a figure never hides a currency it left out.</summary>
    internal static string? CurrencyNote(SaasStatsResponse saas, RevenueVsCostResponse rvc)
    {
        var rates = saas.Rates ?? new Dictionary<string, string>();
        var left = (saas.UnconvertedCurrencies ?? []).Union(rvc.UnconvertedCurrencies ?? [], StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (rates.Count == 0 && left.Count == 0)
        {
            return null;
        }

        var note = $"In {saas.Currency}";
        note += rates.Count == 0 ? "." : "; converted at " + string.Join(", ", rates.Select(r => $"{r.Key} {r.Value}")) + ".";
        return left.Count == 0 ? note : $"{note} Not converted, no rate: {string.Join(", ", left)}.";
    }

    private static string Lifetime(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{span.TotalHours:0.#} hour{(span.TotalHours == 1 ? "" : "s")}" : $"{span.TotalMinutes:0} minutes";

    private static async Task<IResult> LogoutAsync(HttpContext http, AdminSession session, CancellationToken cancellationToken)
    {
        if (await session.PostedAsync(http, cancellationToken) is not null)
        {
            AdminSession.SignOut(http);
        }

        return Results.Redirect("/admin/login");
    }

    private static async Task<IResult> DashboardAsync(HttpContext http, AdminData data, Server.Billing.InvoiceLists invoices, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var saas = await data.SaasAsync(cancellationToken);
        // One 30-day window for the four reports: the same instant for each, and its revenue lines read once.
        var window = data.Window(30, cancellationToken);
        var rvc = await data.RevenueVsCostAsync(window, cancellationToken);
        var plans = await data.PlansAsync(window, cancellationToken);
        var spenders = await data.RankedAsync(window, byCost: true, cancellationToken);
        var negative = await data.RankedAsync(window, byCost: false, cancellationToken);
        var alerts = await data.AlertsPerDayAsync(30, cancellationToken);
        var currency = saas.Currency;
        string Money(decimal v) => ConsoleMoney.In(v, currency);
        static string Usd(decimal v) => ConsoleMoney.Usd(v);
        var months = saas.Series.Select(m => m.Month).ToList();
        var days = rvc.DailyBreakdown.Select(d => d.Date[5..]).ToList();
        string[] charts =
        [
            SvgChart.Line("MRR by month", months, [new ChartSeries("MRR", [.. saas.Series.Select(m => m.Mrr)])], Money),
            SvgChart.Bars("MRR movements by month", months,
            [
                new ChartSeries("New", [.. saas.Series.Select(m => m.Movements.New)]),
                new ChartSeries("Expansion", [.. saas.Series.Select(m => m.Movements.Expansion)]),
                new ChartSeries("Reactivation", [.. saas.Series.Select(m => m.Movements.Reactivation)]),
                new ChartSeries("Contraction", [.. saas.Series.Select(m => m.Movements.Contraction)]),
                new ChartSeries("Churn", [.. saas.Series.Select(m => m.Movements.Churn)]),
            ], Money, stacked: true),
            // Both in the reporting currency: the cost at USD's rate (left out, as in the report, when USD has none).
            SvgChart.Bars($"Revenue against LLM cost per day ({currency})", days,
                [new ChartSeries("Revenue", [.. rvc.DailyBreakdown.Select(d => d.RevenueUsd)]), new ChartSeries("LLM cost", [.. rvc.DailyBreakdown.Select(d => d.LlmCost ?? 0)])],
                Money),
            SvgChart.HorizontalBars("LLM cost by model, 30 days", [.. rvc.ByModel.Select(m => (m.Model, m.CostUsd))], Usd),
            SvgChart.HorizontalBars("LLM cost by feature, 30 days",
                [.. rvc.ByFeature.Select(f => (f.Feature.Length == 0 ? "(no feature)" : f.Feature, f.CostUsd))], Usd),
            SvgChart.HorizontalBars("Customers by plan", [.. plans.Select(p => (p.Name, (decimal)p.Customers))],
                v => v.ToString("N0", CultureInfo.InvariantCulture)),
            SvgChart.HorizontalBars("Margin by plan, 30 days", [.. plans.Select(p => (p.Name, p.MarginUsd))], Money),
            SvgChart.Bars("Alerts fired per day", [.. alerts.Select(a => a.Day)], [new ChartSeries("Alerts", [.. alerts.Select(a => (decimal)a.Count)])],
                v => v.ToString("0.##", CultureInfo.InvariantCulture)),
        ];
        return AdminLayout.Page<DashboardPage>(http, new
        {
            User = user,
            data.Product,
            Kpis = new DashboardKpis(Money(saas.Mrr), saas.PayingCustomers, Money(rvc.TotalRevenueUsd), Usd(rvc.TotalLlmCostUsd),
                $"{rvc.ProfitMarginPercent.ToString("0.#", CultureInfo.InvariantCulture)}%", CurrencyNote(saas, rvc)),
            Charts = charts,
            Spenders = spenders,
            Negative = negative,
            Currency = currency,
            OpenInvoices = (await invoices.PageAsync(new Server.Billing.InvoiceFilter(Status: "open"), new Storage.Database.PageRequest(10, null),
                cancellationToken)).Items,
        });
    }
}

/// <summary>The dashboard's key figures, as shown, and which rates they were converted with (null when only one currency is configured and seen).</summary>
public sealed record DashboardKpis(string Mrr, int PayingCustomers, string Revenue, string LlmCost, string Margin, string? Currencies = null);
