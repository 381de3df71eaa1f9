using System.Globalization;
using System.Text;
using Tollgate.Server.Http;
using Tollgate.Storage.Database;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>
/// Paged console lists: the same limit and keyset cursor as the API's lists (read by <see cref="Lists.TryRead"/>), and
/// links that carry the filters and the cursor, so the console walks a list exactly as a client of the API does.
/// </summary>
public static class ConsoleLists
{
    public const int PageSize = 25;

    /// <summary>Reads the page asked for; null, or the API's own wording of what is wrong with limit or cursor.</summary>
    public static string? Read(string? limit, string? cursor, out PageRequest page) =>
        Lists.TryRead(limit ?? PageSize.ToString(CultureInfo.InvariantCulture), cursor, out page, out var refused) ? null : refused!.ProblemDetails.Detail;

    /// <summary>A link to <paramref name="path"/> with the non-empty parameters, each escaped.</summary>
    public static string Href(string path, params (string Key, string? Value)[] query)
    {
        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value!)}").ToList();
        return parts.Count == 0 ? path : path + "?" + string.Join('&', parts);
    }

    /// <summary>"First page" (when not on it) and "Next page" (when there is one) links; the filters ride along in both.</summary>
    public static string Pager<T>(Page<T> page, bool onFirst, string path, params (string Key, string? Value)[] filters)
    {
        if (onFirst && !page.HasMore)
        {
            return "";
        }

        var nav = new StringBuilder("<nav aria-label=\"Pages\" data-testid=\"pager\"><p class=\"row\">");
        if (!onFirst)
        {
            nav.Append(CultureInfo.InvariantCulture, $"<a class=\"button secondary\" href=\"{E(Href(path, filters))}\">← First page</a>");
        }

        if (page.NextCursor is { } next)
        {
            nav.Append(CultureInfo.InvariantCulture, $"<a class=\"button secondary\" rel=\"next\" href=\"{E(Href(path, [.. filters, ("cursor", next)]))}\">Next page →</a>");
        }

        return nav.Append("</p></nav>").ToString();
    }

    /// <summary>The notice a console list shows instead of rows when a query parameter is unreadable.</summary>
    public static string Refusal(string problem) =>
        $"<p class=\"notice bad\" role=\"alert\" data-testid=\"refusal\">This list could not be read: {E(problem)}.</p>";
}
