using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>
/// Pages a customer sees carry the operator's brand (Tollgate:Pages:ProductName), or neutral words without one, and never
/// Tollgate's name; every page links the icon the server serves.
/// </summary>
public sealed class BrandAndIconTests
{
    private static async Task<(TollgateApp App, string Invoice)> StartAsync(string? brand)
    {
        var settings = new Dictionary<string, string?>();
        if (brand is not null)
        {
            settings["Tollgate:Pages:ProductName"] = brand;
        }

        var app = await TollgateApp.StartAsync(StoreKind.Sqlite, settings);
        await app.CustomerAsync("ada");
        await app.SubscribeAsync("ada", "pro", trialDays: 0);
        return (app, (await app.InvoicesAsync("ada"))[0]["id"].Value<string>()!);
    }

    /// <summary>What a customer reads on each of their pages: the pricing page, the sign-up start, the portal, a preview and an invoice.</summary>
    private static async Task<IReadOnlyList<(string Page, string Title, string Text)>> CustomerPagesAsync(TollgateApp app, string invoice)
    {
        using var visitor = app.NewBrowser();
        using var portal = await PageText.PortalAsync(app, "ada");
        var csrf = System.Text.RegularExpressions.Regex.Match(await portal.PageAsync("/portal"), "name=\"csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        var preview = await (await portal.PostAsync(new Uri("/portal/change/preview", UriKind.Relative),
            new FormUrlEncodedContent([new("choice", "enterprise:monthly"), new("csrf", csrf)]))).Content.ReadAsStringAsync();
        var pages = new List<(string, string)>
        {
            ("pricing", await visitor.PageAsync("/pricing")), ("start", await visitor.PageAsync("/pricing/start?plan=basic&period=monthly")),
            ("portal", await portal.PageAsync("/portal")), ("preview", preview), ("invoice", await portal.PageAsync($"/portal/invoices/{invoice}")),
        };
        return [.. pages.Select(p => (p.Item1, PageText.Title(p.Item2), PageText.Visible(p.Item2)))];
    }

    [Fact]
    public async Task WithABrandEveryCustomerPageShowsItAndNeverTollgate()
    {
        var (app, invoice) = await StartAsync("Acme Coach");
        await using var _ = app;

        var pages = await CustomerPagesAsync(app, invoice);
        var text = pages.ToDictionary(p => p.Page, p => p.Text);

        Assert.All(pages, p => Assert.DoesNotContain("tollgate", p.Title + " " + p.Text, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Acme Coach pricing", pages[0].Title);
        Assert.StartsWith("Acme Coach pricing", text["pricing"][text["pricing"].IndexOf("Acme", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains("Sign in to Acme Coach and open Billing", text["start"], StringComparison.Ordinal);
        Assert.StartsWith("Billing Acme Coach", text["portal"], StringComparison.Ordinal); // the title, then the bar's brand
        Assert.Contains("From Acme Coach", text["invoice"], StringComparison.Ordinal); // no seller name set: the brand sells
    }

    [Fact]
    public async Task WithoutABrandCustomerPagesUseNeutralWordsAndNeverTollgate()
    {
        var (app, invoice) = await StartAsync(brand: null);
        await using var _ = app;

        var pages = await CustomerPagesAsync(app, invoice);
        var text = pages.ToDictionary(p => p.Page, p => p.Text);

        Assert.All(pages, p => Assert.DoesNotContain("tollgate", p.Title + " " + p.Text, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Pricing", pages[0].Title);
        Assert.StartsWith("Pricing Skip to plans Pricing ", text["pricing"], StringComparison.Ordinal); // the title, the skip link, the heading
        Assert.Contains("Sign in to the app and open Billing", text["start"], StringComparison.Ordinal);
        Assert.StartsWith("Billing Billing portal", text["portal"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheIconIsServedAndEveryPageLinksIt()
    {
        var (app, invoice) = await StartAsync("Acme");
        await using var _ = app;
        using var console = app.NewBrowser();
        var login = await console.PageAsync("/admin/login");
        (await console.PostAsync(new Uri("/admin/login", UriKind.Relative), new FormUrlEncodedContent([new("key", TollgateApp.AdminKey)]))).EnsureSuccessStatusCode();

        var icon = await app.Anonymous.GetAsync(new Uri("/favicon.ico", UriKind.Relative));
        var asset = await app.Anonymous.GetAsync(new Uri("/assets/favicon.svg", UriKind.Relative));
        using var portal = await PageText.PortalAsync(app, "ada");
        var linked = new Dictionary<string, string>
        {
            ["pricing"] = await app.NewBrowser().PageAsync("/pricing"),
            ["not on sale"] = await (await app.NewBrowser().GetAsync(new Uri("/pricing/start?plan=nope", UriKind.Relative))).Content.ReadAsStringAsync(),
            ["portal"] = await portal.PageAsync("/portal"),
            ["console sign-in"] = login,
            ["dashboard"] = await console.PageAsync("/admin"),
            ["invoices"] = await console.PageAsync("/admin/invoices"),
        };

        Assert.Equal((HttpStatusCode.OK, "image/svg+xml"), (icon.StatusCode, icon.Content.Headers.ContentType!.MediaType));
        Assert.Equal(await icon.Content.ReadAsStringAsync(), await asset.Content.ReadAsStringAsync());
        Assert.StartsWith("<svg", await asset.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.All(linked, p => Assert.Contains("<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">", p.Value, StringComparison.Ordinal));
        // The printable invoice allows no request but its own: its icon is inline.
        Assert.Contains("<link rel=\"icon\" href=\"data:image/svg+xml,", await portal.PageAsync($"/portal/invoices/{invoice}"), StringComparison.Ordinal);
    }
}
