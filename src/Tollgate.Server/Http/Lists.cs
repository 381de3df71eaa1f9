using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Http;

/// <summary>The list parameters every list endpoint takes, read and checked once: limit (1-100, default 20) and cursor.</summary>
public static class Lists
{
    /// <summary>
    /// The page asked for of <paramref name="list"/>, or a 400 naming limit or cursor. Both are read as text so a
    /// non-number is ours to name. A cursor names the list that handed it out, so one passed to another list is refused
    /// instead of being read there as a position among other rows.
    /// </summary>
    public static bool TryRead(string list, string? limit, string? cursor, out PageRequest page, out ProblemHttpResult? problem)
    {
        page = PageRequest.First;
        problem = null;
        var errors = new Dictionary<string, string>();
        var size = PageRequest.DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > PageRequest.MaxLimit))
        {
            errors["limit"] = $"must be a whole number from 1 to {PageRequest.MaxLimit}";
        }

        Cursor after = default;
        string? named = null;
        if (cursor is not null && !Cursor.TryDecode(cursor, out after, out named))
        {
            errors["cursor"] = "is not a cursor this list handed out; pass next_cursor from the previous page unchanged";
        }
        else if (named is not null && named != list)
        {
            errors["cursor"] = $"is a cursor of the {named} list, not of {list}; pass next_cursor from this list's previous page unchanged";
        }

        if (errors.Count > 0)
        {
            problem = Problems.Validation(errors);
            return false;
        }

        page = new PageRequest(size, cursor is null ? null : after, list);
        return true;
    }

    public static ListResponse<TWire> ToWire<T, TWire>(Page<T> page, Func<T, TWire> map) =>
        new([.. page.Items.Select(map)], page.HasMore, page.NextCursor);
}

/// <summary>A from/to range of instants on a query string, bounded so a single request cannot scan years of raw rows.</summary>
public sealed record InstantRange(DateTimeOffset? From, DateTimeOffset? To)
{
    /// <summary>
    /// Parses ISO 8601 instants; a reversed range, an unparsable value, or one longer than <paramref name="maxDays"/>
    /// (when both ends are given) is a 400 naming the field.
    /// </summary>
    public static Dictionary<string, string> TryParse(string? from, string? to, int maxDays, out InstantRange range)
    {
        var errors = new Dictionary<string, string>();
        var start = Parse(from, "from", errors);
        var end = Parse(to, "to", errors);
        range = new InstantRange(start, end);
        if (start is { } s && end is { } e)
        {
            if (e < s)
            {
                errors["to"] = "must not be before from";
            }
            else if (e - s > TimeSpan.FromDays(maxDays))
            {
                errors["to"] = $"must be at most {maxDays} days after from";
            }
        }

        return errors;
    }

    private static DateTimeOffset? Parse(string? text, string field, Dictionary<string, string> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            || HasTimeWithoutZone(text))
        {
            errors[field] = "must be an ISO 8601 instant or date, such as 2026-01-31T00:00:00Z or 2026-01-31";
            return null;
        }

        if (OutsideStoredYears(at) is { } problem)
        {
            errors[field] = problem;
            return null;
        }

        return at;
    }

    /// <summary>
    /// Why an instant cannot bound a query, or null: periods and windows are computed from it, and far outside the years
    /// Tollgate stores their arithmetic overflows.
    /// </summary>
    public static string? OutsideStoredYears(DateTimeOffset at) => at < Earliest || at >= Latest ? "must be from 1970-01-01 to 8999-12-31" : null;

    private static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;
    private static readonly DateTimeOffset Latest = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // A date alone is a UTC day; a time of day must say its zone (Z or an offset), as instants in bodies must.
    public static bool HasTimeWithoutZone(string text) =>
        text.IndexOf('T', StringComparison.OrdinalIgnoreCase) is var t and >= 0
        && !text.EndsWith('Z') && !text.EndsWith('z') && text.AsSpan(t).IndexOfAny('+', '-') < 0;
}
