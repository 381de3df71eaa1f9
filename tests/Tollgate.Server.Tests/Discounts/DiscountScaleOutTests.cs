using System.Net;
using Tollgate.Testing;
using static Tollgate.Server.Tests.Discounts.DiscountsSetup;

namespace Tollgate.Server.Tests.Discounts;

/// <summary>Three server nodes sharing one PostgreSQL redeem a limited code exactly as often as it allows.</summary>
public sealed class DiscountScaleOutTests
{
    [Fact]
    public async Task FiftyRedemptionsSpreadOverThreeNodesOfACodeLimitedToTenGiveExactlyTen()
    {
        await using var nodes = await TollgateCluster.StartAsync(3, Settings());
        var (first, third) = (nodes[0], nodes[2]);
        await first.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await first.CodeAsync(new { code = "FIRST10", coupon = "TWENTY", max_redemptions = 10 });
        for (var i = 0; i < 50; i++)
        {
            await first.CustomerAsync($"c{i}");
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => nodes[i].SubscribeWithAsync($"c{i}", "basic", code: "FIRST10")));
        var code = await (await third.Admin.GetAsync("/v1/admin/promotion-codes/FIRST10")).ReadAsync();
        var refusals = await Task.WhenAll(responses.Where(r => r.StatusCode != HttpStatusCode.Created).Select(r => r.ReadAsync()));

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(refusals, r => Assert.Equal("used_up", r["reason"].Value<string>()));
        Assert.Equal(40, refusals.Length);
        Assert.Equal(10L, code["times_redeemed"].Value<long>());
    }
}
