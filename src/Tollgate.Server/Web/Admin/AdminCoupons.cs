using System.Globalization;
using Tollgate.Contracts;
using Tollgate.Core.Discounts;
using Tollgate.Core.Money;
using Tollgate.Server.Discounts;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Web.Admin;

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
        return AdminLayout.Page<CouponsPage>(http, new
        {
            User = user,
            data.Product,
            Done = done is null ? null : done == "code" ? "The promotion code was created." : "The coupon was created.",
            Coupons = coupons,
            Codes = codes,
        });
    }

    /// <summary>What a coupon takes off: "20%" or an amount in its currency.</summary>
    internal static string Off(Coupon c) => c.PercentOffBasisPoints is { } bp
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
        var request = new CreateCouponRequest(FormText.Trimmed(f["id"]), FormText.Trimmed(f["name"]),
            decimal.TryParse(FormText.Trimmed(f["percent_off"]), NumberStyles.Number, CultureInfo.InvariantCulture, out var p) ? p : null,
            Number(f["amount_off_cents"]), FormText.Trimmed(f["currency"]), FormText.Trimmed(f["duration"]),
            (int?)Number(f["duration_in_months"]), null, Number(f["max_redemptions"]));
        var (coupon, errors) = CouponRequests.Parse(request, await catalog.GetAsync(cancellationToken), time.GetUtcNow());
        if (coupon is null)
        {
            return PageResults.Message(http, 400, "The coupon was not created", string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value}.")));
        }

        return await store.CreateAsync(coupon, cancellationToken)
            ? Results.Redirect("/admin/coupons?done=coupon")
            : PageResults.Message(http, 409, "The coupon was not created", $"A coupon with the id '{coupon.Id}' exists or existed.");
    }

    private static async Task<IResult> CreateCodeAsync(
        HttpContext http, AdminData data, CouponStore store, CustomerStore customers, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await data.Session.PostedAsync(http, cancellationToken) is not { } posted)
        {
            return AdminLayout.SignIn();
        }

        var f = posted.Form;
        var request = new CreatePromotionCodeRequest(FormText.Trimmed(f["code"]), FormText.Trimmed(f["coupon"]),
            Number(f["max_redemptions"]), null, f["first_time_only"] == "true");
        var coupon = request.Coupon is null ? null : await store.GetAsync(request.Coupon, cancellationToken);
        var now = time.GetUtcNow();
        var errors = CouponRequests.Check(request, coupon, customerExists: false, now);
        if (errors.Count > 0)
        {
            return PageResults.Message(http, 400, "The code was not created", string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value}.")));
        }

        var code = new PromotionCode(store.NewCodeId(), request.Code!, coupon!.Id, request.MaxRedemptions, null, request.FirstTimeOnly, null, true, 0, now);
        return await store.CreateCodeAsync(code, cancellationToken)
            ? Results.Redirect("/admin/coupons?done=code")
            : PageResults.Message(http, 409, "The code was not created", $"The code '{code.Code}' exists already.");
    }

    private static long? Number(Microsoft.Extensions.Primitives.StringValues value) =>
        long.TryParse(value.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
