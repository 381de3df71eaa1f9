using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Tollgate.Client.Contracts;
using Tollgate.Server.Llm;
using Tollgate.Server.Metrics;
using Tollgate.Server.Web;
using Tollgate.Storage.Alerts;
using Tollgate.Storage.Billing;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>What the console reads from: the same reports the stats API answers with, so both always agree.</summary>
public sealed class AdminData(
    AdminSession session, LlmStatsApi.Services stats, SubscriptionHistory history, IOptions<MetricsOptions> metrics, AlertStore alerts,
    IOptions<PagesOptions> pages, TimeProvider time)
{
    public AdminSession Session => session;
    public LlmStatsApi.Services Stats => stats;
    public string Product => pages.Value.ProductName;
    public TimeProvider Time => time;

    public Task<SaasStatsResponse> SaasAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return SaasStatsApi.ReadSaasAsync(SaasStatsApi.DefaultStart(now), now, history, metrics, cancellationToken);
    }

    public Task<RevenueVsCostResponse> RevenueVsCostAsync(int days, CancellationToken cancellationToken) =>
        LlmStatsApi.ReadRevenueVsCostAsync(Window(days), stats, cancellationToken);

    public Task<IReadOnlyList<PlanStats>> PlansAsync(int days, CancellationToken cancellationToken) =>
        LlmStatsApi.ReadPlansAsync(Window(days), stats, cancellationToken);

    public Task<IReadOnlyList<CustomerMargin>> RankedAsync(int days, bool byCost, CancellationToken cancellationToken) =>
        LlmStatsApi.ReadRankedAsync(Window(days), 10, stats, byCost, cancellationToken);

    public Task<CustomerCostResponse?> CustomerCostsAsync(string customer, int days, CancellationToken cancellationToken) =>
        LlmStatsApi.ReadUserCostsAsync(customer, Window(days), stats, cancellationToken);

    private StatsWindow Window(int days) => StatsWindow.Ending(time.GetUtcNow(), days);

    /// <summary>Alerts fired per day over the last <paramref name="days"/> days, oldest first.</summary>
    public async Task<IReadOnlyList<(string Day, int Count)>> AlertsPerDayAsync(int days, CancellationToken cancellationToken)
    {
        var today = time.GetUtcNow().UtcDateTime.Date;
        var from = new DateTimeOffset(today.AddDays(1 - days), TimeSpan.Zero);
        var fired = await alerts.FiredSinceAsync(from, cancellationToken);
        return [.. Enumerable.Range(0, days).Select(i => from.AddDays(i)).Select(d =>
            (d.ToString("MMM d", CultureInfo.InvariantCulture), fired.Count(a => a >= d && a < d.AddDays(1))))];
    }
}

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
        group.MapAdminCatalog();
        group.MapAdminWebhooks();
        group.MapAdminExports();
        group.MapAdminCoupons();
        group.MapAdminLlmCalls();
        group.MapAdminExperiments();
        return app;
    }

    private static IResult LoginPage(HttpContext http, PagesOptions options, string? notice, int status) => Page(http, "Sign in", $"""
        <main class="narrow"><h1>Console sign-in</h1>
        <p class="lead">Sign in with an admin API key (tg_admin_…). The session lasts {E(Lifetime(options.SessionLifetime))}, and ends sooner if the key is revoked.</p>
        {(notice is null ? "" : $"<p class=\"notice bad\" role=\"alert\">{E(notice)}</p>")}
        <form method="post" action="/admin/login" class="card stack">
          <label for="key">Admin key</label>
          <input id="key" name="key" type="password" autocomplete="current-password" required>
          <button type="submit">Sign in</button>
        </form></main>
        """, status: status);

    private static async Task<IResult> LoginAsync(
        HttpContext http, AdminSession session, SignInThrottle throttle, IOptions<PagesOptions> options, CancellationToken cancellationToken)
    {
        if (throttle.RetryAfter(http) is { } wait)
        {
            var seconds = (long)Math.Ceiling(wait.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return LoginPage(http, options.Value, $"Too many wrong keys from this address. Try again in {Math.Ceiling(seconds / 60.0):0} minute(s).", 429);
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

    private static async Task<IResult> DashboardAsync(HttpContext http, AdminData data, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var saas = await data.SaasAsync(cancellationToken);
        var rvc = await data.RevenueVsCostAsync(30, cancellationToken);
        var plans = await data.PlansAsync(30, cancellationToken);
        var spenders = await data.RankedAsync(30, byCost: true, cancellationToken);
        var negative = await data.RankedAsync(30, byCost: false, cancellationToken);
        var alerts = await data.AlertsPerDayAsync(30, cancellationToken);
        var currency = saas.Currency;
        string Money(decimal v) => ConsoleMoney.In(v, currency);
        static string Usd(decimal v) => ConsoleMoney.Usd(v);

        var page = new StringBuilder("<h1>Dashboard</h1>");
        page.Append(CultureInfo.InvariantCulture, $"""
            <section class="kpis" aria-label="Key figures">
              <div class="card kpi"><div class="label">MRR</div><div class="value" data-kpi="mrr">{E(Money(saas.Mrr))}</div></div>
              <div class="card kpi"><div class="label">Paying customers</div><div class="value" data-kpi="paying">{saas.PayingCustomers}</div></div>
              <div class="card kpi"><div class="label">Revenue, 30 days</div><div class="value" data-kpi="revenue">{E(Money(rvc.TotalRevenueUsd))}</div></div>
              <div class="card kpi"><div class="label">LLM cost, 30 days</div><div class="value" data-kpi="cost">{E(Usd(rvc.TotalLlmCostUsd))}</div></div>
              <div class="card kpi"><div class="label">Margin, 30 days</div><div class="value" data-kpi="margin">{E($"{rvc.ProfitMarginPercent:0.#}%")}</div></div>
            </section>
            <div class="charts">
            """);
        var months = saas.Series.Select(m => m.Month).ToList();
        page.Append(SvgChart.Line("MRR by month", months, [new ChartSeries("MRR", [.. saas.Series.Select(m => m.Mrr)])], Money));
        page.Append(SvgChart.Bars("MRR movements by month", months,
        [
            new ChartSeries("New", [.. saas.Series.Select(m => m.Movements.New)]),
            new ChartSeries("Expansion", [.. saas.Series.Select(m => m.Movements.Expansion)]),
            new ChartSeries("Reactivation", [.. saas.Series.Select(m => m.Movements.Reactivation)]),
            new ChartSeries("Contraction", [.. saas.Series.Select(m => m.Movements.Contraction)]),
            new ChartSeries("Churn", [.. saas.Series.Select(m => m.Movements.Churn)]),
        ], Money, stacked: true));

        var days = rvc.DailyBreakdown.Select(d => d.Date[5..]).ToList();
        page.Append(SvgChart.Bars("Revenue against LLM cost per day (USD)", days,
            [new ChartSeries("Revenue", [.. rvc.DailyBreakdown.Select(d => d.RevenueUsd)]), new ChartSeries("LLM cost", [.. rvc.DailyBreakdown.Select(d => d.LlmCostUsd)])],
            Usd));
        page.Append(SvgChart.HorizontalBars("LLM cost by model, 30 days", [.. rvc.ByModel.Select(m => (m.Model, m.CostUsd))], Usd));
        page.Append(SvgChart.HorizontalBars("LLM cost by feature, 30 days",
            [.. rvc.ByFeature.Select(f => (f.Feature.Length == 0 ? "(no feature)" : f.Feature, f.CostUsd))], Usd));

        page.Append(SvgChart.HorizontalBars("Customers by plan", [.. plans.Select(p => (p.Name, (decimal)p.Customers))],
            v => v.ToString("N0", CultureInfo.InvariantCulture)));
        page.Append(SvgChart.HorizontalBars("Margin by plan, 30 days", [.. plans.Select(p => (p.Name, p.MarginUsd))], Usd));
        page.Append(SvgChart.Bars("Alerts fired per day", [.. alerts.Select(a => a.Day)], [new ChartSeries("Alerts", [.. alerts.Select(a => (decimal)a.Count)])],
            v => v.ToString("0.##", CultureInfo.InvariantCulture)));
        page.Append("</div><div class=\"charts\">");
        page.Append(RankTable("Top customers by LLM cost", spenders, Usd));
        page.Append(RankTable("Customers with negative margin", negative, Usd));
        page.Append("</div>");
        return AdminLayout.Page(http, user, "/admin", "Dashboard", page.ToString(), data.Product);
    }

    private static string RankTable(string title, IReadOnlyList<CustomerMargin> rows, Func<decimal, string> usd)
    {
        var table = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<section class=\"card\"><h2>{E(title)}</h2>");
        if (rows.Count == 0)
        {
            return table.Append("<p class=\"muted\">None in the last 30 days.</p></section>").ToString();
        }

        table.Append("<div class=\"table-scroll\"><table><thead><tr><th scope=\"col\">Customer</th><th scope=\"col\">Plan</th><th scope=\"col\" class=\"num\">Revenue</th><th scope=\"col\" class=\"num\">LLM cost</th><th scope=\"col\" class=\"num\">Margin</th></tr></thead><tbody>");
        foreach (var r in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"""
                <tr><td><a href="/admin/customers/{Uri.EscapeDataString(r.Customer)}">{E(r.Customer)}</a></td><td>{E(r.Plan)}</td>
                <td class="num">{E(usd(r.RevenueUsd))}</td><td class="num">{E(usd(r.LlmCostUsd))}</td><td class="num">{E(usd(r.MarginUsd))}</td></tr>
                """);
        }

        return table.Append("</tbody></table></div></section>").ToString();
    }
}
