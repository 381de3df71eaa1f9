using System.Runtime.CompilerServices;
using System.Text;
using Tollgate.Contracts;

namespace Tollgate.Client;

/// <summary>Walks every page of a list, so that reading all of it is one <c>await foreach</c>.</summary>
public static class TollgatePaging
{
    /// <summary>The largest page the server gives; walking a whole list asks for it.</summary>
    public const int MaxLimit = 100;

    /// <summary>
    /// Every item of every page, fetching the next page only when the loop reaches it. <paramref name="fetch"/> reads one
    /// page given the cursor (null for the first).
    /// </summary>
    public static async IAsyncEnumerable<T> EnumerateAsync<T>(
        Func<string?, CancellationToken, Task<ListResponse<T>>> fetch, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = await fetch(cursor, cancellationToken);
            foreach (var item in page.Data)
            {
                yield return item;
            }

            cursor = page.HasMore ? page.NextCursor : null;
        }
        while (cursor is not null);
    }

    /// <summary>A path with the given query parameters, leaving out those that are null.</summary>
    internal static string Path(string path, params (string Name, object? Value)[] parameters)
    {
        var text = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in parameters)
        {
            var formatted = value switch
            {
                null => null,
                DateTimeOffset at => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                DateOnly day => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            if (formatted is not null)
            {
                text.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(formatted));
                separator = '&';
            }
        }

        return text.ToString();
    }
}
