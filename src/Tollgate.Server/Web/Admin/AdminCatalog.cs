using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tollgate.Core.Catalog;
using Tollgate.Core.Json;
using Tollgate.Core.Llm;
using Tollgate.Core.Money;
using Tollgate.Server.Catalog;
using Tollgate.Server.Llm;

namespace Tollgate.Server.Web.Admin;

/// <summary>
/// The console's catalog: plans with their versions, a plan editor whose save becomes a new version (through the
/// same validation as PUT /v1/admin/catalog), and the model price table with a form to add a price.
/// </summary>
public static class AdminCatalog
{
    public static RouteGroupBuilder MapAdminCatalog(this RouteGroupBuilder group)
    {
        group.MapGet("/catalog", CatalogAsync);
        group.MapGet("/catalog/plans/{code}", EditAsync);
        group.MapPost("/catalog/plans/{code}", SaveAsync);
        group.MapPost("/catalog/prices", AddPriceAsync);
        return group;
    }

    private static async Task<IResult> CatalogAsync(
        HttpContext http, string? done, AdminData data, CatalogCache catalog, CatalogStore store, ModelPriceStore prices, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        var plans = new List<CatalogPlanRow>();
        foreach (var plan in snapshot.Plans.OrderBy(p => p.SortOrder))
        {
            var versions = await store.ListPlanVersionsAsync(plan.Code, cancellationToken);
            plans.Add(new CatalogPlanRow(plan.Code, plan.Name, plan.IsActive,
                string.Join(", ", plan.Current.Terms.Prices.Select(p => $"{MinorUnits.Display(p.PriceCents, p.Currency)} {p.BillingPeriod.ToWire()}")),
                string.Join(", ", versions.Select(v => $"v{v.Version} ({AdminCustomers.Day(v.CreatedAt)})"))));
        }

        return AdminLayout.Page<CatalogPage>(http, new
        {
            User = user,
            data.Product,
            Done = done is null ? null : done == "price" ? "The price was added." : "The plan was saved.",
            Plans = plans,
            Prices = await prices.ListAsync(cancellationToken),
        });
    }

    private static async Task<IResult> AddPriceAsync(HttpContext http, AdminData data, ModelPriceStore prices, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        // The form becomes the API's JSON shape, so it is checked by the same parser as POST /v1/admin/llm/prices.
        var json = new JsonObject();
        foreach (var field in new[] { "model", "provider", "effective_from" })
        {
            if (posted.Form[field].ToString() is { Length: > 0 } text)
            {
                json[field] = text.Trim();
            }
        }

        foreach (var field in new[] { "input", "cached_input", "output", "request" })
        {
            if (posted.Form[field].ToString() is { Length: > 0 } text)
            {
                json[field] = decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? JsonValue.Create(value) : JsonValue.Create(text);
            }
        }

        var problems = new List<DocumentProblem>();
        var price = PriceDocument.ParseOne(JsonSerializer.Deserialize<JsonElement>(json.ToJsonString()), "", data.Time.GetUtcNow(), problems);
        if (price is null || problems.Count > 0)
        {
            return PageResults.Message(http, 400, "The price was not added", string.Join("; ", problems.Select(p => p.ToString())));
        }

        await prices.ImportAsync([price], cancellationToken);
        return Results.Redirect("/admin/catalog?done=price");
    }

    private static async Task<IResult> EditAsync(string code, HttpContext http, AdminData data, CatalogCache catalog, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        if (snapshot.Plan(code) is not { } plan)
        {
            return PageResults.Message(http, 404, "No such plan", $"There is no plan '{code}'.");
        }

        return AdminLayout.Page<PlanEditPage>(http, new
        {
            User = user,
            data.Product,
            Plan = plan,
            Metered = snapshot.Features.Where(f => f.Kind == FeatureKind.Metered).ToList(),
        });
    }

    private static async Task<IResult> SaveAsync(
        string code, HttpContext http, AdminData data, CatalogCache catalog, CatalogService service, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var form = posted.Form;
        var snapshot = await catalog.GetAsync(cancellationToken);
        if (snapshot.Plan(code) is not { } plan)
        {
            return PageResults.Message(http, 404, "No such plan", $"There is no plan '{code}'.");
        }

        // Edit the exported document and apply it whole: the same parser, checks and versioning as the catalog API.
        var document = JsonNode.Parse(CatalogDocumentWriter.Write(snapshot.ToDefinition()))!;
        var node = document["plans"]!.AsArray().First(p => p!["code"]!.GetValue<string>() == code)!;
        node["name"] = form["name"].ToString();
        node["description"] = form["description"].ToString();
        node["is_popular"] = form["is_popular"] == "true";
        node["is_active"] = form["is_active"] == "true";
        // One field per billing period and currency the plan is priced in, in the prices' own order (so a save that
        // changes nothing makes no version): an emptied field removes its price, a filled one adds it, and a price the
        // form does not name stays as it is.
        var prices = new JsonArray();
        var given = PlanPriceField.All(plan.Current.Terms).ToList();
        var existing = node["prices"]!.AsArray().Select(p => p!.AsObject()).ToList();
        foreach (var field in given.OrderBy(f => existing.FindIndex(p => f.Matches(p)) is var i and >= 0 ? i : int.MaxValue))
        {
            var name = PlanPriceField.PriceName(field.Interval, field.Currency);
            var old = existing.FirstOrDefault(field.Matches);
            if (!form.ContainsKey(name))
            {
                if (old is not null)
                {
                    prices.Add(old.DeepClone()); // a form without the field (an older page) keeps the price
                }

                continue;
            }

            if (form[name].ToString() is not { Length: > 0 } cents)
            {
                continue;
            }

            var price = old?.DeepClone().AsObject() ?? new JsonObject { ["billing_period"] = field.Interval, ["currency"] = field.Currency };
            price["price_cents"] = Number(cents);
            price["trial_days"] = Number(form[PlanPriceField.TrialName(field.Interval, field.Currency)].ToString() is { Length: > 0 } trial ? trial : "0");
            prices.Add(price);
        }

        node["prices"] = prices;
        var features = node["features"]!.AsArray();
        foreach (var metered in snapshot.Features.Where(f => f.Kind == FeatureKind.Metered && form.ContainsKey($"quota_{f.Code}")))
        {
            var quota = form[$"quota_{metered.Code}"].ToString().Trim();
            var feature = features.FirstOrDefault(f => f!["feature_code"]!.GetValue<string>() == metered.Code);
            if (feature is null && quota == "0")
            {
                continue; // not listed and not included: listing it as 0 would change the terms' hash and make a needless version
            }

            if (feature is null)
            {
                // A feature the plan did not list yet: the quota typed here adds it.
                feature = new JsonObject { ["feature_code"] = metered.Code };
                features.Add(feature);
            }

            feature["limit"] = quota.Length == 0 ? null : Number(quota); // the window (reset) the plan had stays
        }

        var result = await service.ApplyAsync(document.ToJsonString(), cancellationToken);
        return result.IsValid
            ? Results.Redirect("/admin/catalog?done=plan")
            : PageResults.Message(http, 400, "The plan was not saved", string.Join("; ", result.Problems.Select(p => p.ToString())));
    }

    /// <summary>A whole number as JSON, or the text itself so the catalog parser names the field that is wrong.</summary>
    private static JsonNode Number(string text) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(text);
}

/// <summary>The plan editor's price fields: one per billing period in each currency the plan is priced in (USD when none).</summary>
public sealed record PlanPriceField(string Interval, string Currency, PlanPrice? Price)
{
    public static IEnumerable<PlanPriceField> All(PlanTerms terms) =>
        from currency in terms.Currencies is { Count: > 0 } currencies ? currencies : ["USD"]
        from interval in new[] { BillingInterval.Monthly, BillingInterval.Yearly }
        select new PlanPriceField(interval.ToWire(), currency, terms.Price(interval, currency));

    public bool Matches(JsonObject price) =>
        price["billing_period"]!.GetValue<string>() == Interval && price["currency"]!.GetValue<string>() == Currency;

    public static string PriceName(string interval, string currency) => $"price_{interval}_{currency}";

    public static string TrialName(string interval, string currency) => $"trial_{interval}_{currency}";
}

/// <summary>A plan in the catalog's table: its prices and every version, in words.</summary>
public sealed record CatalogPlanRow(string Code, string Name, bool IsActive, string Prices, string Versions);
