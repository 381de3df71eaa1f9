using System.Globalization;
using System.Text;
using Tollgate.Core.Experiments;
using Tollgate.Core.Money;
using Tollgate.Server.Experiments;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Experiments;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>
/// The console's price experiments: the list with status, and an experiment's results from the same
/// <see cref="ExperimentResults.Compute"/> that answers <c>GET /v1/admin/experiments/{id}/results</c>, with start and stop.
/// </summary>
public static class AdminExperiments
{
    public static RouteGroupBuilder MapAdminExperiments(this RouteGroupBuilder group)
    {
        group.MapGet("/experiments", ListAsync);
        group.MapGet("/experiments/{id}", DetailAsync);
        group.MapPost("/experiments/{id}/start", StartAsync);
        group.MapPost("/experiments/{id}/stop", StopAsync);
        return group;
    }

    private static async Task<IResult> ListAsync(HttpContext http, AdminData data, ExperimentStore store, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var experiments = (await store.ListAsync(cancellationToken)).OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id, StringComparer.Ordinal).ToList();
        var page = new StringBuilder("<h1>Experiments</h1><p class=\"lead\">Price experiments, newest first. Create them with <code>POST /v1/admin/experiments</code>.</p>");
        page.Append("<div class=\"table-scroll\"><table><thead><tr><th scope=\"col\">Experiment</th><th scope=\"col\">Status</th><th scope=\"col\">Variants</th><th scope=\"col\">Created</th><th scope=\"col\">Started</th><th scope=\"col\">Stopped</th></tr></thead><tbody>");
        foreach (var e in experiments)
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr data-experiment="{E(e.Id)}"><td><a href="/admin/experiments/{Uri.EscapeDataString(e.Id)}">{E(e.Name)}</a><br><span class="muted">{E(e.Id)}</span></td>
                <td>{Status(e.Status)}</td><td>{E(string.Join(", ", e.Variants.Select(v => v.Key)))}</td><td>{AdminCustomers.Day(e.CreatedAt)}</td>
                <td>{(e.StartedAt is { } s ? AdminCustomers.Day(s) : "–")}</td><td>{(e.StoppedAt is { } t ? AdminCustomers.Day(t) : "–")}</td></tr>
                """);
        }

        page.Append(experiments.Count == 0 ? "<tr><td colspan=\"6\" class=\"muted\">No experiments yet.</td></tr>" : "").Append("</tbody></table></div>");
        return AdminLayout.Page(http, user, "/admin/experiments", "Experiments", page.ToString(), data.Product);
    }

    private static async Task<IResult> DetailAsync(
        string id, string? done, HttpContext http, AdminData data, ExperimentStore store, ExperimentTallies tallies, CatalogCache catalog,
        CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        if (await store.GetAsync(id, cancellationToken) is not { } experiment)
        {
            return Message(http, 404, "No such experiment", $"There is no experiment '{id}'.");
        }

        var results = ExperimentResults.Compute(experiment, await tallies.CountsAsync(id, cancellationToken));
        var currency = (await catalog.GetAsync(cancellationToken)).ActivePlans.SelectMany(p => p.Current.Terms.Prices).Select(p => p.Currency).FirstOrDefault() ?? "USD";
        var page = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <p><a href="/admin/experiments">← Experiments</a></p>
            <h1>{E(experiment.Name)}</h1>
            <p class="lead">{E(experiment.Id)} · <span data-testid="status">{Status(experiment.Status)}</span>{(experiment.StartedAt is { } s ? " · started " + AdminCustomers.Day(s) : "")}{(experiment.StoppedAt is { } t ? " · stopped " + AdminCustomers.Day(t) : "")}</p>
            {(done is null ? "" : $"<p class=\"notice good\" role=\"status\">{(done == "started" ? "The experiment was started." : "The experiment was stopped.")}</p>")}
            {Actions(user, experiment)}
            <div class="table-scroll"><table data-testid="results"><thead><tr><th scope="col">Variant</th><th scope="col" class="num">Visitors</th><th scope="col" class="num">Conversions</th>
            <th scope="col" class="num">Conversion rate</th><th scope="col" class="num">95% interval</th><th scope="col" class="num">MRR per visitor</th>
            <th scope="col" class="num">p-value</th><th scope="col" class="num">Lift</th></tr></thead><tbody>
            """);
        foreach (var r in results)
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr data-variant="{E(r.Variant)}"><th scope="row">{E(r.Variant)}{(r.IsControl ? " <span class=\"badge\">control</span>" : "")}</th>
                <td class="num">{r.Visitors:N0}</td><td class="num">{r.Conversions:N0}</td><td class="num">{AdminExperimentChart.Percent(r.ConversionRate)}</td>
                <td class="num">{AdminExperimentChart.Percent(r.ConversionInterval.Low)} – {AdminExperimentChart.Percent(r.ConversionInterval.High)}</td>
                <td class="num">{E(ConsoleMoney.In(r.MrrPerVisitorCents / MinorUnits.Factor(currency), currency))}</td>
                <td class="num">{PValue(r.PValue)}</td><td class="num">{Lift(r.RelativeLift)}</td></tr>
                """);
        }

        page.Append("</tbody></table></div><div class=\"charts\">");
        page.Append(AdminExperimentChart.Draw("Conversion rate by variant, with 95% intervals", results));
        page.Append("</div><p class=\"muted\">p-value: two-proportion z-test of each challenger against control. Lift: the challenger's conversion rate relative to control's.</p>");
        return AdminLayout.Page(http, user, "/admin/experiments", experiment.Name, page.ToString(), data.Product);
    }

    private static string Actions(AdminUser user, Experiment experiment)
    {
        var action = $"/admin/experiments/{Uri.EscapeDataString(experiment.Id)}";
        return experiment.Status switch
        {
            ExperimentStatus.Draft => $"""<form method="post" action="{action}/start" class="row">{CsrfField(user.Csrf)}<button type="submit">Start experiment</button></form>""",
            ExperimentStatus.Running => $"""
                <form method="post" action="{action}/stop" class="row">{CsrfField(user.Csrf)}
                  <label for="promote">On stopping</label><select id="promote" name="promote"><option value="">Keep the catalog's prices</option>{string.Concat(experiment.Variants
                      .Where(v => !v.IsControl).Select(v => $"<option value=\"{E(v.Key)}\">Make {E(v.Key)}'s prices the catalog's</option>"))}</select>
                  <button class="danger" type="submit">Stop experiment</button></form>
                """,
            _ => "",
        };
    }

    private static async Task<IResult> StartAsync(string id, HttpContext http, AdminData data, ExperimentStore store, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is null)
        {
            return AdminLayout.SignIn();
        }

        return Changed(http, id, "started", await store.StartAsync(id, cancellationToken));
    }

    /// <summary>Stops, and with a challenger named in promote makes its prices the catalog's, as <c>POST /v1/admin/experiments/{id}/stop</c> does.</summary>
    private static async Task<IResult> StopAsync(
        string id, HttpContext http, AdminData data, ExperimentPromotion promotion, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        return await promotion.StopAsync(id, FormText.Blank(posted.Form["promote"].ToString()), cancellationToken) switch
        {
            ExperimentStop.Changed(var change) => Changed(http, id, "stopped", change),
            _ => Message(http, 400, "The experiment was not stopped", "Choose one of the challengers to promote, or keep the catalog's prices."),
        };
    }

    private static IResult Changed(HttpContext http, string id, string done, ExperimentChange change) => change switch
    {
        ExperimentChange.Done => Results.Redirect($"/admin/experiments/{Uri.EscapeDataString(id)}?done={done}"),
        ExperimentChange.Conflict conflict => Message(http, 409, $"The experiment was not {done}", conflict.Detail),
        _ => Message(http, 404, "No such experiment", $"There is no experiment '{id}'."),
    };

    private static string Status(ExperimentStatus status) => status switch
    {
        ExperimentStatus.Running => "<span class=\"badge good\">running</span>",
        ExperimentStatus.Stopped => "<span class=\"badge\">stopped</span>",
        _ => "<span class=\"badge warn\">draft</span>",
    };

    private static string PValue(double? p) => p switch
    {
        null => "–",
        < 0.0001 => "&lt; 0.0001",
        { } v => v.ToString("0.0000", CultureInfo.InvariantCulture),
    };

    private static string Lift(double? lift) => lift is { } l ? (l >= 0 ? "+" : "−") + Math.Abs(l * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–";
}
