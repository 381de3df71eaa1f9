using System.Globalization;
using System.Text;

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

    // The names an address may give instead of the code, as the postal services spell them, Canada's in French too, and
    // the short forms people write ("PEI", "Que."). Compared as Key writes them: no accents, dots or commas, one space.
    private static readonly Dictionary<string, Dictionary<string, string>> Names = new(StringComparer.Ordinal)
    {
        ["US"] = Named("""
            AL Alabama|AK Alaska|AZ Arizona|AR Arkansas|CA California|CO Colorado|CT Connecticut|DE Delaware|DC District of Columbia
            |DC Washington DC|FL Florida|GA Georgia|HI Hawaii|ID Idaho|IL Illinois|IN Indiana|IA Iowa|KS Kansas|KY Kentucky|LA Louisiana
            |ME Maine|MD Maryland|MA Massachusetts|MI Michigan|MN Minnesota|MS Mississippi|MO Missouri|MT Montana|NE Nebraska
            |NV Nevada|NH New Hampshire|NJ New Jersey|NM New Mexico|NY New York|NC North Carolina|ND North Dakota|OH Ohio
            |OK Oklahoma|OR Oregon|PA Pennsylvania|RI Rhode Island|SC South Carolina|SD South Dakota|TN Tennessee|TX Texas|UT Utah
            |VT Vermont|VA Virginia|WA Washington|WV West Virginia|WI Wisconsin|WY Wyoming|AS American Samoa|GU Guam
            |MP Northern Mariana Islands|PR Puerto Rico|UM United States Minor Outlying Islands|VI Virgin Islands|VI U.S. Virgin Islands
            |DC Washington, District of Columbia
            """),
        ["CA"] = Named("""
            AB Alberta|BC British Columbia|MB Manitoba|NB New Brunswick|NL Newfoundland and Labrador|NL Newfoundland|NS Nova Scotia
            |NT Northwest Territories|NU Nunavut|ON Ontario|PE Prince Edward Island|QC Quebec|SK Saskatchewan|YT Yukon
            |YT Yukon Territory|NL Nfld|NT NWT|PE PEI|QC Que|QC PQ|ON Ont|AB Alta|SK Sask|MB Man
            |BC Colombie-Britannique|PE Île-du-Prince-Édouard|NB Nouveau-Brunswick|NS Nouvelle-Écosse|NL Terre-Neuve-et-Labrador
            |NL Terre-Neuve|NT Territoires du Nord-Ouest
            """),
    };

    /// <summary>
    /// The subdivision code an address's <paramref name="state"/> names, for matching tax rates: the code itself in any
    /// case ("tx"), with its country ("US-TX") or dotted ("N.Y."), or, for the US and Canada, the full name ("Texas").
    /// Null when it names none; the address keeps what the customer wrote.
    /// </summary>
    public static string? Of(string? country, string? state)
    {
        if (country is null || state is null || state.Trim() is not { Length: > 0 } given)
        {
            return null;
        }

        var key = country.ToUpperInvariant();
        var upper = given.ToUpperInvariant();
        if (upper.StartsWith(key + "-", StringComparison.Ordinal))
        {
            upper = upper[(key.Length + 1)..];
        }

        var compact = Key(upper).Replace(" ", "", StringComparison.Ordinal);
        if (!Known.TryGetValue(key, out var codes))
        {
            return Problem(key, compact) is null ? compact : null;
        }

        return codes.Contains(compact) ? compact : Names[key].GetValueOrDefault(Key(upper));
    }

    // A name as it is compared: upper case, accents taken off (a decomposed "Québec" as well as a composed one, since the
    // server runs without ICU and string.Normalize cannot be relied on), dots dropped, commas, dashes and any white space
    // as one space, and "&" as "AND".
    private static string Key(string name)
    {
        var plain = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark || c == '.')
            {
                continue;
            }

            var accent = Accented.IndexOf(c, StringComparison.Ordinal);
            _ = c == '&' ? plain.Append(" AND ")
                : plain.Append(c == ',' || char.IsWhiteSpace(c) || category == UnicodeCategory.DashPunctuation ? ' '
                    : accent >= 0 ? Unaccented[accent] : char.ToUpperInvariant(c));
        }

        return string.Join(' ', plain.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private const string Accented = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿ";
    private const string Unaccented = "AAAAAAAAAAAACCEEEEEEEEIIIIIIIINNOOOOOOOOOOUUUUUUUUYYY";

    private static Dictionary<string, string> Named(string list) =>
        list.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split(' ', 2))
            .ToDictionary(pair => Key(pair[1]), pair => pair[0], StringComparer.Ordinal);

    private static HashSet<string> Codes(string list) =>
        new(list.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}
