using System.Globalization;
using Tollgate.Contracts;
using Tollgate.Server.Taxes;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Web.Admin;

/// <summary>The console's tax rates: see them, create one, deactivate one (a rate is never deleted: issued invoices name it).</summary>
public static class AdminTaxRates
{
    public static RouteGroupBuilder MapAdminTaxRates(this RouteGroupBuilder group)
    {
        group.MapGet("/tax-rates", PageAsync);
        group.MapPost("/tax-rates", CreateAsync);
        group.MapPost("/tax-rates/{id}/deactivate", DeactivateAsync);
        return group;
    }

    private static async Task<IResult> PageAsync(HttpContext http, string? done, AdminData data, TaxRateStore store, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var rates = (await store.ListAsync(new PageRequest(PageRequest.MaxLimit, null), cancellationToken)).Items;
        return AdminLayout.Page<TaxRatesPage>(http, new
        {
            User = user,
            data.Product,
            Done = done switch { "created" => "The tax rate was created.", "deactivated" => "The tax rate was deactivated.", _ => null },
            Rates = rates,
        });
    }

    private static async Task<IResult> CreateAsync(HttpContext http, AdminData data, TaxRateStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var f = posted.Form;
        var request = new CreateTaxRateRequest(FormText.Trimmed(f["id"]), FormText.Trimmed(f["name"]),
            decimal.TryParse(FormText.Trimmed(f["percentage"]), NumberStyles.Number, CultureInfo.InvariantCulture, out var p) ? p : null,
            f["inclusive"] == "true", FormText.Trimmed(f["country"])?.ToUpperInvariant(), FormText.Trimmed(f["state"]));
        var (rate, errors) = TaxRateRequests.Parse(request, time.GetUtcNow());
        if (rate is null)
        {
            return PageResults.Message(http, 400, "The tax rate was not created", string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value}.")));
        }

        return await store.CreateAsync(rate, cancellationToken)
            ? Results.Redirect("/admin/tax-rates?done=created")
            : PageResults.Message(http, 409, "The tax rate was not created", $"A tax rate with the id '{rate.Id}' exists.");
    }

    private static async Task<IResult> DeactivateAsync(string id, HttpContext http, AdminData data, TaxRateStore store, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is null)
        {
            return AdminLayout.SignIn();
        }

        return await store.DeactivateAsync(id, cancellationToken) is null
            ? PageResults.Message(http, 404, "No such tax rate", $"There is no tax rate '{id}'.")
            : Results.Redirect("/admin/tax-rates?done=deactivated");
    }
}
