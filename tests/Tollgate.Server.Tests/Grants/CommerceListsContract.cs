using System.Net;
using Tollgate.Testing;
using static Tollgate.Server.Tests.Discounts.DiscountsSetup;

namespace Tollgate.Server.Tests.Grants;

/// <summary>The coupon, promotion-code and grant lists page with the shared keyset cursor and refuse one they did not hand out.</summary>
public abstract class CommerceListsContract : ApiContract
{
    [Fact]
    public async Task CouponCodeAndGrantListsRefuseACursorTheyDidNotHandOutAndABadLimitNamingTheField()
    {
        await using var app = await StartAsync(Settings());
        await app.CustomerAsync("c1");

        foreach (var list in new[] { "/v1/admin/coupons", "/v1/admin/promotion-codes", "/v1/customers/c1/grants" })
        {
            // A raw id was the cursor once; it is not one now.
            var rawId = await app.Admin.GetAsync($"{list}?cursor=A");
            var limit = await app.Admin.GetAsync($"{list}?limit=abc");
            var rawProblem = await rawId.ReadAsync();
            var limitProblem = await limit.ReadAsync();

            Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (rawId.StatusCode, limit.StatusCode));
            Assert.NotNull(rawProblem["errors"]!["cursor"]);
            Assert.NotNull(limitProblem["errors"]!["limit"]);
        }
    }

    [Fact]
    public async Task PromotionCodesPageByIdWithTheCursorTheListHandsOut()
    {
        await using var app = await StartAsync(Settings());
        await app.CouponAsync(new { id = "A", name = "A", percent_off = 10, duration = "once" });
        foreach (var code in new[] { "ONE", "TWO", "THREE" })
        {
            Assert.Equal(HttpStatusCode.Created, (await app.Admin.PostJsonAsync("/v1/admin/promotion-codes", new { code, coupon = "A" })).StatusCode);
        }

        var first = await (await app.Admin.GetAsync("/v1/admin/promotion-codes?limit=2")).ReadAsync();
        var second = await (await app.Admin.GetAsync($"/v1/admin/promotion-codes?limit=2&cursor={first["next_cursor"].Value<string>()}")).ReadAsync();

        Assert.Equal((2, true, 1, false), (first["data"]!.AsArray().Count, first["has_more"].Value<bool>(), second["data"]!.AsArray().Count,
            second["has_more"].Value<bool>()));
        Assert.Equal(["ONE", "THREE", "TWO"], first["data"]!.AsArray().Concat(second["data"]!.AsArray())
            .Select(c => c!["code"].Value<string>()).Order(StringComparer.Ordinal));
    }
}

public sealed class SqliteCommerceListsTests : CommerceListsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCommerceListsTests : CommerceListsContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingCommerceListsTests : CommerceListsContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
