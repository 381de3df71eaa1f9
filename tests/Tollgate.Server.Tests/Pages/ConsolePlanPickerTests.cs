using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>The console's plan picker never opens on a plan the customer did not choose: a stray click must not downgrade.</summary>
public sealed class ConsolePlanPickerTests
{
    [Fact]
    public async Task ThePickerOpensOnTheCurrentPlanOrOnNoPlanNeverOnFree()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite);
        await app.CustomerAsync("ada");
        await app.CustomerAsync("bob");
        await app.SubscribeAsync("bob", "pro");
        using var browser = app.NewBrowser();
        (await browser.PostAsync(new Uri("/admin/login", UriKind.Relative),
            new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();

        var unsubscribed = await browser.GetStringAsync(new Uri("/admin/customers/ada", UriKind.Relative));
        var subscribed = await browser.GetStringAsync(new Uri("/admin/customers/bob", UriKind.Relative));

        Assert.Contains("<option value=\"\" selected disabled>Choose a plan…</option>", unsubscribed, StringComparison.Ordinal);
        Assert.Contains("<option value=\"pro:monthly\" selected>", subscribed, StringComparison.Ordinal);
        Assert.DoesNotContain("<option value=\"free:monthly\" selected>", subscribed, StringComparison.Ordinal);
    }
}
