using System.Globalization;
using Tollgate.Server.Http;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Web.Admin;

/// <summary>
/// Paged console lists: the same limit and keyset cursor as the API's lists (read by <see cref="Lists.TryRead"/>), and
/// links (<see cref="Href"/>, drawn by Pager) that carry the filters and the cursor, so the console walks a list exactly as
/// a client of the API does.
/// </summary>
public static class ConsoleLists
{
    public const int PageSize = 25;

    /// <summary>
    /// Reads the page asked for of <paramref name="list"/> (named as the API's list of the same rows, whose cursors it
    /// takes); null, or the API's own wording of what is wrong with limit or cursor.
    /// </summary>
    public static string? Read(string list, string? limit, string? cursor, out PageRequest page) =>
        Lists.TryRead(list, limit ?? PageSize.ToString(CultureInfo.InvariantCulture), cursor, out page, out var refused)
            ? null
            : refused!.ProblemDetails.Detail;

    /// <summary>"3 shown, newest first; more on the next page."</summary>
    public static string Shown<T>(Page<T> page) => $"{page.Items.Count} shown, newest first{(page.HasMore ? "; more on the next page" : "")}.";

    /// <summary>A link to <paramref name="path"/> with the non-empty parameters, each escaped.</summary>
    public static string Href(string path, params (string Key, string? Value)[] query)
    {
        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value!)}").ToList();
        return parts.Count == 0 ? path : path + "?" + string.Join('&', parts);
    }
}
