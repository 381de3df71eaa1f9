using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>The portal shows only the alerts that still hold: an upgrade that lifts the limit takes "reached your limit" away.</summary>
public sealed class PortalAlertsTests
{
    [Fact]
    public async Task AfterAnUpgradeThePortalNoLongerShowsTheLimitAlertsOfTheOldPlanWhileTheApiStillListsThem()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite);
        await app.CustomerAsync("ada");
        var subscription = await app.SubscribeAsync("ada", "basic", trialDays: 0); // 10 CVs a month, hard-capped
        (await app.ConsumeAsync("ada", "cv_generate", 8)).EnsureSuccessStatusCode();
        (await app.ConsumeAsync("ada", "cv_generate", 2)).EnsureSuccessStatusCode();
        using var portal = await PageText.PortalAsync(app, "ada");

        var before = PageText.Visible(await portal.PageAsync("/portal"));
        (await app.Admin.PostJsonAsync($"/v1/subscriptions/{subscription}/change", new { plan = "pro", proration = "create_prorations" }))
            .EnsureSuccessStatusCode(); // 30 a month from now on, in the same period
        var after = PageText.Visible(await portal.PageAsync("/portal"));
        var listed = (await (await app.Admin.GetAsync("/v1/customers/ada/alerts?unread=true")).ReadAsync())["data"]!.AsArray().Count;

        Assert.Contains("You have reached your limit of 10 CVs", before, StringComparison.Ordinal);
        Assert.Contains("You have used 8 of 10 CVs", before, StringComparison.Ordinal);
        Assert.Contains("10 of 30 CVs", after, StringComparison.Ordinal);
        Assert.DoesNotContain("reached your limit", after, StringComparison.Ordinal);
        Assert.DoesNotContain("8 of 10", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Alerts", after, StringComparison.Ordinal);
        Assert.Equal(2, listed);
    }
}
