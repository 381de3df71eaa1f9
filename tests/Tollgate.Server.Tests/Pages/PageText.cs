using System.Net;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Pages;

/// <summary>What a visitor reads on a page: its title and text, without markup, scripts or styles.</summary>
internal static partial class PageText
{
    public static string Visible(string html) =>
        WebUtility.HtmlDecode(Spaces().Replace(Tags().Replace(Blocks().Replace(html, " "), " "), " ")).Trim();

    public static string Title(string html) => WebUtility.HtmlDecode(TitleElement().Match(html).Groups[1].Value);

    /// <summary>A browser-like client signed into the customer's portal through a link the API made.</summary>
    public static async Task<HttpClient> PortalAsync(TollgateApp app, string customer)
    {
        var browser = app.NewBrowser();
        var link = (await (await app.Admin.PostJsonAsync($"/v1/customers/{customer}/portal-sessions", new { })).ReadAsync())["url"].Value<string>()!;
        (await browser.GetAsync(new Uri(new Uri(link).PathAndQuery, UriKind.Relative))).EnsureSuccessStatusCode();
        return browser;
    }

    public static Task<string> PageAsync(this HttpClient browser, string path) => browser.GetStringAsync(new Uri(path, UriKind.Relative));

    [GeneratedRegex("<(script|style)[^>]*>.*?</\\1>", RegexOptions.Singleline)]
    private static partial Regex Blocks();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex("\\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex("<title>(.*?)</title>", RegexOptions.Singleline)]
    private static partial Regex TitleElement();
}
