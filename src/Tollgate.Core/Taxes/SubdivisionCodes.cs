namespace Tollgate.Core.Taxes;

/// <summary>
/// A tax rate's state, as Stripe's tax rates take it: the ISO 3166-2 subdivision code without its country prefix ("TX",
/// not "US-TX" or "Texas"). A rate is matched to a customer by this code against their address, so a name there would
/// never match and the rate would silently tax nobody.
/// </summary>
public static class SubdivisionCodes
{
    // The two countries whose state and province taxes most billing setups hold, checked against the full list; other
    // countries' codes are checked for their shape only (one to three letters or digits).
    private static readonly Dictionary<string, HashSet<string>> Known = new(StringComparer.Ordinal)
    {
        ["US"] = Codes("""
            AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI
            SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR UM VI
            """),
        ["CA"] = Codes("AB BC MB NB NL NS NT NU ON PE QC SK YT"),
    };

    /// <summary>Why <paramref name="state"/> is not a subdivision code of <paramref name="country"/>, or null when it is.</summary>
    public static string? Problem(string country, string state)
    {
        var code = state.Trim();
        if (code.StartsWith(country + "-", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{state}' carries its country; give the subdivision code alone, such as \"{code[(country.Length + 1)..].ToUpperInvariant()}\"";
        }

        if (Known.TryGetValue(country, out var codes))
        {
            return codes.Contains(code) ? null : $"'{state}' is not an ISO 3166-2 code of a subdivision of {country} (upper case, such as \"{codes.First()}\")";
        }

        return code is { Length: >= 1 and <= 3 } && code.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9') ? null
            : $"'{state}' is not an ISO 3166-2 subdivision code: one to three upper-case letters or digits, without the country";
    }

    private static HashSet<string> Codes(string list) =>
        new(list.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}
