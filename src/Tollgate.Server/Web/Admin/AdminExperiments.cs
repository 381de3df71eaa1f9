using System.Globalization;
using Tollgate.Core.Experiments;
using Tollgate.Server.Experiments;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Web.Admin;

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
        return AdminLayout.Page<ExperimentsPage>(http, new { User = user, data.Product, Experiments = experiments });
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
            return PageResults.Message(http, 404, "No such experiment", $"There is no experiment '{id}'.");
        }

        var results = ExperimentResults.Compute(experiment, await tallies.CountsAsync(id, cancellationToken));
        var currency = (await catalog.GetAsync(cancellationToken)).ActivePlans.SelectMany(p => p.Current.Terms.Prices).Select(p => p.Currency).FirstOrDefault() ?? "USD";
        return AdminLayout.Page<ExperimentPage>(http, new
        {
            User = user,
            data.Product,
            Experiment = experiment,
            Done = done is null ? null : done == "started" ? "The experiment was started." : "The experiment was stopped.",
            Results = results,
            Currency = currency,
            Chart = AdminExperimentChart.Draw("Conversion rate by variant, with 95% intervals", results),
        });
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
            ExperimentStop.PlanInactive off => PageResults.Message(http, 409, "The experiment was not stopped",
                $"The variant prices {string.Join(", ", off.Plans)}, no longer on sale: put the plan back on sale to promote its price, or stop without promoting."),
            _ => PageResults.Message(http, 400, "The experiment was not stopped", "Choose one of the challengers to promote, or keep the catalog's prices."),
        };
    }

    private static IResult Changed(HttpContext http, string id, string done, ExperimentChange change) => change switch
    {
        ExperimentChange.Done => Results.Redirect($"/admin/experiments/{Uri.EscapeDataString(id)}?done={done}"),
        ExperimentChange.Conflict conflict => PageResults.Message(http, 409, $"The experiment was not {done}", conflict.Detail),
        _ => PageResults.Message(http, 404, "No such experiment", $"There is no experiment '{id}'."),
    };

    /// <summary>A status badge's class and word.</summary>
    internal static (string Class, string Text) Status(ExperimentStatus status) => status switch
    {
        ExperimentStatus.Running => ("badge good", "running"),
        ExperimentStatus.Stopped => ("badge", "stopped"),
        _ => ("badge warn", "draft"),
    };

    internal static string PValue(double? p) => p switch
    {
        null => "–",
        < 0.0001 => "< 0.0001",
        { } v => v.ToString("0.0000", CultureInfo.InvariantCulture),
    };

    internal static string Lift(double? lift) => lift is { } l ? (l >= 0 ? "+" : "−") + Math.Abs(l * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–";
}
