using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tollgate.Core.Catalog;
using Tollgate.Core.Json;
using Tollgate.Core.Llm;
using Tollgate.Core.Money;
using Tollgate.Server.Catalog;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Llm;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

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
        var page = new StringBuilder("<h1>Catalog</h1>");
        if (done is not null)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"notice good\" role=\"status\">{E(done == "price" ? "The price was added." : "The plan was saved.")}</p>");
        }

        page.Append("<section><h2>Plans</h2><div class=\"table-scroll\"><table><thead><tr><th scope=\"col\">Plan</th><th scope=\"col\">Prices</th><th scope=\"col\">Versions</th><th scope=\"col\"><span class=\"skip\">Edit</span></th></tr></thead><tbody>");
        foreach (var plan in snapshot.Plans.OrderBy(p => p.SortOrder))
        {
            var versions = await store.ListPlanVersionsAsync(plan.Code, cancellationToken);
            var priceText = string.Join(", ", plan.Current.Terms.Prices.Select(p => $"{MinorUnits.Display(p.PriceCents, p.Currency)} {p.BillingPeriod.ToWire()}"));
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr data-plan="{E(plan.Code)}"><td><strong>{E(plan.Name)}</strong> <span class="muted">{E(plan.Code)}{(plan.IsActive ? "" : " · inactive")}</span></td>
                <td>{E(priceText)}</td>
                <td>{string.Join(", ", versions.Select(v => $"v{v.Version} ({AdminCustomers.Day(v.CreatedAt)})"))}</td>
                <td><a href="/admin/catalog/plans/{Uri.EscapeDataString(plan.Code)}">Edit</a></td></tr>
                """);
        }

        page.Append("</tbody></table></div></section>");
        page.Append(PricesSection(user, await prices.ListAsync(cancellationToken)));
        return AdminLayout.Page(http, user, "/admin/catalog", "Catalog", page.ToString(), data.Product);
    }

    private static string PricesSection(AdminUser user, IReadOnlyList<ModelPrice> prices)
    {
        static string Per(long? nano) => nano is { } n ? "$" + NanoUsdAmount.ToUsd(n).ToString("0.00####", CultureInfo.InvariantCulture) : "";
        var section = new StringBuilder("""
            <section><h2>Model prices</h2><p class="muted">USD per million tokens, or per request and per image. A price applies from its date on; calls logged before keep their cost.</p>
            <div class="table-scroll"><table><thead><tr><th scope="col">Model</th><th scope="col">Provider</th><th scope="col">From</th><th scope="col" class="num">Input</th><th scope="col" class="num">Cached</th><th scope="col" class="num">Output</th><th scope="col" class="num">Request</th><th scope="col" class="num">Image</th></tr></thead><tbody>
            """);
        foreach (var p in prices)
        {
            section.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{E(p.Model)}{(p.Pattern is { } pattern ? $" <span class=\"muted\">({E(pattern)})</span>" : "")}</td><td>{E(p.Provider)}</td><td>{AdminCustomers.Day(p.EffectiveFrom)}</td>
                <td class="num">{Per(p.InputNano)}</td><td class="num">{Per(p.CachedInputNano)}</td><td class="num">{Per(p.OutputNano)}</td><td class="num">{Per(p.RequestNano)}</td><td class="num">{Per(p.ImageNano)}</td></tr>
                """);
        }

        section.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table></div>
            <form method="post" action="/admin/catalog/prices" class="card stack">{CsrfField(user.Csrf)}<h3>Add a price</h3>
            <div class="grid">
              <label>Model <input name="model" required></label>
              <label>Provider <input name="provider" required></label>
              <label>Input per 1M <input name="input" inputmode="decimal"></label>
              <label>Cached input per 1M <input name="cached_input" inputmode="decimal"></label>
              <label>Output per 1M <input name="output" inputmode="decimal"></label>
              <label>Per request <input name="request" inputmode="decimal"></label>
              <label>Effective from (UTC) <input name="effective_from" placeholder="2026-12-01T00:00:00Z"></label>
            </div>
            <button type="submit">Add price</button></form></section>
            """);
        return section.ToString();
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
            return Message(http, 400, "The price was not added", string.Join("; ", problems.Select(p => p.ToString())));
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
            return Message(http, 404, "No such plan", $"There is no plan '{code}'.");
        }

        var page = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <p><a href="/admin/catalog">← Catalog</a></p><h1>Edit {E(plan.Name)}</h1>
            <p class="lead">Saving changes to prices or quotas creates version {plan.Current.Version + 1}; subscriptions on earlier versions keep theirs.</p>
            <form method="post" action="/admin/catalog/plans/{Uri.EscapeDataString(plan.Code)}" class="stack">{CsrfField(user.Csrf)}
            <div class="card grid">
              <label>Name <input name="name" value="{E(plan.Name)}" required></label>
              <label>Description <input name="description" value="{E(plan.Description)}"></label>
              <label class="check"><input type="checkbox" name="is_popular" value="true"{(plan.IsPopular ? " checked" : "")}> Most popular</label>
              <label class="check"><input type="checkbox" name="is_active" value="true"{(plan.IsActive ? " checked" : "")}> Active</label>
            </div>
            <div class="card"><h2>Prices (minor units, such as cents)</h2><div class="grid">
            """);
        foreach (var interval in new[] { BillingInterval.Monthly, BillingInterval.Yearly })
        {
            var price = plan.Current.Terms.Price(interval);
            var name = interval.ToWire();
            page.Append(CultureInfo.InvariantCulture, $"""
                <label>{E(name)} price <input name="price_{name}" inputmode="numeric" value="{price?.PriceCents.ToString(CultureInfo.InvariantCulture)}" placeholder="none"></label>
                <label>{E(name)} trial days <input name="trial_{name}" inputmode="numeric" value="{price?.TrialDays.ToString(CultureInfo.InvariantCulture)}"></label>
                """);
        }

        page.Append("</div></div><div class=\"card\"><h2>Quotas</h2><p class=\"muted\">Empty is unlimited, 0 is not included.</p><div class=\"grid\">");
        foreach (var feature in snapshot.Features.Where(f => f.Kind == FeatureKind.Metered))
        {
            var grant = plan.Current.Terms.Feature(feature.Code);
            page.Append(CultureInfo.InvariantCulture, $"""
                <label>{E(feature.Name)} <input name="quota_{E(feature.Code)}" inputmode="numeric" value="{(grant is null ? "0" : grant.MonthlyQuota?.ToString(CultureInfo.InvariantCulture))}"></label>
                """);
        }

        page.Append("</div></div><button type=\"submit\">Save as a new version</button></form>");
        return AdminLayout.Page(http, user, "/admin/catalog", $"Edit {plan.Name}", page.ToString(), data.Product);
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
            return Message(http, 404, "No such plan", $"There is no plan '{code}'.");
        }

        // Edit the exported document and apply it whole: the same parser, checks and versioning as the catalog API.
        var document = JsonNode.Parse(CatalogDocumentWriter.Write(snapshot.ToDefinition()))!;
        var node = document["plans"]!.AsArray().First(p => p!["code"]!.GetValue<string>() == code)!;
        node["name"] = form["name"].ToString();
        node["description"] = form["description"].ToString();
        node["is_popular"] = form["is_popular"] == "true";
        node["is_active"] = form["is_active"] == "true";
        var currency = plan.Current.Terms.Prices.FirstOrDefault()?.Currency ?? "USD";
        var prices = new JsonArray();
        foreach (var interval in new[] { "monthly", "yearly" })
        {
            if (form[$"price_{interval}"].ToString() is not { Length: > 0 } cents)
            {
                continue;
            }

            var existing = node["prices"]!.AsArray().FirstOrDefault(p => p!["billing_period"]!.GetValue<string>() == interval);
            var price = existing?.DeepClone().AsObject() ?? new JsonObject { ["billing_period"] = interval, ["currency"] = currency };
            price["price_cents"] = Number(cents);
            price["trial_days"] = Number(form[$"trial_{interval}"].ToString() is { Length: > 0 } trial ? trial : "0");
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
            : Message(http, 400, "The plan was not saved", string.Join("; ", result.Problems.Select(p => p.ToString())));
    }

    /// <summary>A whole number as JSON, or the text itself so the catalog parser names the field that is wrong.</summary>
    private static JsonNode Number(string text) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(text);
}
