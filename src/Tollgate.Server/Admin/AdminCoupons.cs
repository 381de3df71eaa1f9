using System.Globalization;
using System.Text;
using Tollgate.Client.Contracts;
using Tollgate.Core.Discounts;
using Tollgate.Core.Money;
using Tollgate.Server.Discounts;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Discounts;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>The console's coupons and promotion codes: create them and see how often each was redeemed.</summary>
public static class AdminCoupons
{
    public static RouteGroupBuilder MapAdminCoupons(this RouteGroupBuilder group)
    {
        group.MapGet("/coupons", PageAsync);
        group.MapPost("/coupons", CreateCouponAsync);
        group.MapPost("/promotion-codes", CreateCodeAsync);
        return group;
    }

    private static async Task<IResult> PageAsync(HttpContext http, string? done, AdminData data, CouponStore store, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        var coupons = (await store.ListAsync(new Tollgate.Storage.Database.PageRequest(Tollgate.Storage.Database.PageRequest.MaxLimit, null), cancellationToken)).Items;
        var codes = (await store.ListCodesAsync(new Tollgate.Storage.Database.PageRequest(Tollgate.Storage.Database.PageRequest.MaxLimit, null), null, cancellationToken)).Items;
        var page = new StringBuilder("<h1>Coupons</h1>");
        if (done is not null)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"notice good\" role=\"status\">{(done == "code" ? "The promotion code was created." : "The coupon was created.")}</p>");
        }

        page.Append("<section><h2>Coupons</h2><div class=\"table-scroll\"><table><thead><tr><th scope=\"col\">Coupon</th><th scope=\"col\">Off</th><th scope=\"col\">Duration</th><th scope=\"col\" class=\"num\">Redeemed</th></tr></thead><tbody>");
        foreach (var c in coupons)
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr data-coupon="{E(c.Id)}"><td>{E(c.Name)}<br><span class="muted">{E(c.Id)}</span></td><td>{E(Off(c))}</td>
                <td>{E(c.Duration.ToWire())}{(c.DurationInMonths is { } m ? $" ({m} months)" : "")}</td>
                <td class="num" data-testid="redeemed">{c.TimesRedeemed}{(c.MaxRedemptions is { } max ? $" / {max}" : "")}</td></tr>
                """);
        }

        page.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table></div>
            <form method="post" action="/admin/coupons" class="card stack">{CsrfField(user.Csrf)}<h3>Create a coupon</h3>
              <label for="id">Id</label><input id="id" name="id" required placeholder="SUMMER20">
              <label for="name">Name</label><input id="name" name="name" required placeholder="20% off for the summer">
              <label for="percent_off">Percent off</label><input id="percent_off" name="percent_off" inputmode="decimal" placeholder="20">
              <label for="amount_off_cents">Or amount off (cents)</label><input id="amount_off_cents" name="amount_off_cents" inputmode="numeric">
              <label for="currency">Currency (with an amount)</label><input id="currency" name="currency" placeholder="USD">
              <label for="duration">Duration</label><select id="duration" name="duration"><option>once</option><option>repeating</option><option selected>forever</option></select>
              <label for="duration_in_months">Months (repeating)</label><input id="duration_in_months" name="duration_in_months" inputmode="numeric">
              <label for="max_redemptions">Max redemptions</label><input id="max_redemptions" name="max_redemptions" inputmode="numeric">
              <button type="submit">Create coupon</button>
            </form></section>
            <section><h2>Promotion codes</h2><div class="table-scroll"><table><thead><tr><th scope="col">Code</th><th scope="col">Coupon</th><th scope="col">State</th><th scope="col" class="num">Redeemed</th></tr></thead><tbody>
            """);
        foreach (var p in codes)
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr data-code="{E(p.Code)}"><td><code>{E(p.Code)}</code></td><td>{E(p.CouponId)}</td>
                <td>{(p.Active ? "<span class=\"badge good\">active</span>" : "<span class=\"badge\">inactive</span>")}</td>
                <td class="num" data-testid="redeemed">{p.TimesRedeemed}{(p.MaxRedemptions is { } max ? $" / {max}" : "")}</td></tr>
                """);
        }

        page.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table></div>
            <form method="post" action="/admin/promotion-codes" class="card stack">{CsrfField(user.Csrf)}<h3>Create a promotion code</h3>
              <label for="code">Code</label><input id="code" name="code" required placeholder="SPRING20">
              <label for="coupon">Coupon</label><select id="coupon" name="coupon">{string.Concat(coupons.Select(c => $"<option value=\"{E(c.Id)}\">{E(c.Name)}</option>"))}</select>
              <label for="code_max">Max redemptions</label><input id="code_max" name="max_redemptions" inputmode="numeric">
              <label class="check"><input type="checkbox" name="first_time_only" value="true"> First-time customers only</label>
              <button type="submit">Create code</button>
            </form></section>
            """);
        return AdminLayout.Page(http, user, "/admin/coupons", "Coupons", page.ToString(), data.Product);
    }

    private static string Off(Coupon c) => c.PercentOffBasisPoints is { } bp
        ? $"{(bp / 100m).ToString("0.##", CultureInfo.InvariantCulture)}%"
        : MinorUnits.Display(c.AmountOffCents ?? 0, c.Currency ?? "USD");

    private static async Task<IResult> CreateCouponAsync(
        HttpContext http, AdminData data, CouponStore store, CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var f = posted.Form;
        var request = new CreateCouponRequest(Text(f["id"]), Text(f["name"]),
            decimal.TryParse(Text(f["percent_off"]), NumberStyles.Number, CultureInfo.InvariantCulture, out var p) ? p : null,
            Number(f["amount_off_cents"]), Text(f["currency"]), Text(f["duration"]), (int?)Number(f["duration_in_months"]), null, Number(f["max_redemptions"]));
        var (coupon, errors) = CouponRequests.Parse(request, await catalog.GetAsync(cancellationToken), time.GetUtcNow());
        if (coupon is null)
        {
            return Message(http, 400, "The coupon was not created", string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value}.")));
        }

        return await store.CreateAsync(coupon, cancellationToken)
            ? Results.Redirect("/admin/coupons?done=coupon")
            : Message(http, 409, "The coupon was not created", $"A coupon with the id '{coupon.Id}' exists or existed.");
    }

    private static async Task<IResult> CreateCodeAsync(
        HttpContext http, AdminData data, CouponStore store, CustomerStore customers, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var f = posted.Form;
        var request = new CreatePromotionCodeRequest(Text(f["code"]), Text(f["coupon"]), Number(f["max_redemptions"]), null, f["first_time_only"] == "true");
        var coupon = request.Coupon is null ? null : await store.GetAsync(request.Coupon, cancellationToken);
        var now = time.GetUtcNow();
        var errors = CouponRequests.Check(request, coupon, customerExists: false, now);
        if (errors.Count > 0)
        {
            return Message(http, 400, "The code was not created", string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value}.")));
        }

        var code = new PromotionCode(store.NewCodeId(), request.Code!, coupon!.Id, request.MaxRedemptions, null, request.FirstTimeOnly, null, true, 0, now);
        return await store.CreateCodeAsync(code, cancellationToken)
            ? Results.Redirect("/admin/coupons?done=code")
            : Message(http, 409, "The code was not created", $"The code '{code.Code}' exists already.");
    }

    private static string? Text(Microsoft.Extensions.Primitives.StringValues value) => value.ToString().Trim() is { Length: > 0 } s ? s : null;

    private static long? Number(Microsoft.Extensions.Primitives.StringValues value) =>
        long.TryParse(value.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
