using System.Text.Json.Nodes;

namespace Tollgate.Testing;

/// <summary>Reads lists as a client does: one page, or every page by following next_cursor.</summary>
public static class Paging
{
    /// <summary>The items of one page.</summary>
    public static async Task<JsonArray> PageAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.ReadAsync();
        return body["data"]?.AsArray() ?? throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode} {body.ToJsonString()}");
    }

    /// <summary>Every item of every page, <paramref name="limit"/> at a time, in the list's order.</summary>
    public static async Task<JsonArray> ReadAllAsync(this HttpClient client, string url, int limit = 100)
    {
        var all = new JsonArray();
        string? cursor = null;
        do
        {
            var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await (await client.GetAsync(new Uri($"{url}{separator}limit={limit}{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}",
                UriKind.Relative))).ReadAsync();
            foreach (var item in page["data"]!.AsArray().ToList())
            {
                all.Add(item!.DeepClone());
            }

            cursor = page["has_more"]!.GetValue<bool>() ? page["next_cursor"]!.GetValue<string>() : null;
        }
        while (cursor is not null);
        return all;
    }
}
