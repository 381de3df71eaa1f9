namespace Tollgate.Core.Money;

/// <summary>ISO 4217 facts the catalog needs: minor-unit exponent and a display symbol.</summary>
public static class Currency
{
    private static readonly Dictionary<string, (int Exponent, string Symbol)> Known = new(StringComparer.Ordinal)
    {
        ["USD"] = (2, "$"), ["EUR"] = (2, "€"), ["GBP"] = (2, "£"), ["CAD"] = (2, "CA$"), ["AUD"] = (2, "A$"),
        ["CHF"] = (2, "CHF "), ["SEK"] = (2, "SEK "), ["NOK"] = (2, "NOK "), ["DKK"] = (2, "DKK "), ["PLN"] = (2, "PLN "),
        ["INR"] = (2, "₹"), ["BRL"] = (2, "R$"), ["MXN"] = (2, "MX$"), ["SGD"] = (2, "S$"), ["HKD"] = (2, "HK$"),
        ["NZD"] = (2, "NZ$"), ["ZAR"] = (2, "R "), ["EGP"] = (2, "EGP "), ["CNY"] = (2, "CN¥"),
        ["JPY"] = (0, "¥"), ["KRW"] = (0, "₩"), ["VND"] = (0, "₫"), ["CLP"] = (0, "CLP "),
        ["KWD"] = (3, "KWD "), ["BHD"] = (3, "BHD "), ["JOD"] = (3, "JOD "),
    };

    /// <summary>Digits after the decimal point: 2 for USD, 0 for JPY, 3 for KWD.</summary>
    public static int Exponent(string code) => Known.TryGetValue(code, out var c) ? c.Exponent : 2;

    public static string Symbol(string code) => Known.TryGetValue(code, out var c) ? c.Symbol : code + " ";

    public static IEnumerable<string> Codes => Known.Keys;

    /// <summary>Whether <paramref name="code"/> has the shape of an ISO 4217 code: three capital letters.</summary>
    public static bool IsCode(string? code) => code is { Length: 3 } && code.All(ch => ch is >= 'A' and <= 'Z');

    /// <summary>
    /// The code in capitals when <paramref name="code"/> is three ASCII letters in either case ("eur" as Stripe writes it,
    /// or "EUR"), else null: API input takes both and Tollgate stores and answers capitals.
    /// </summary>
    public static string? Canonical(string? code) =>
        code is { Length: 3 } && code.All(char.IsAsciiLetter) ? code.ToUpperInvariant() : null;

    /// <summary>Whether Tollgate knows the code's minor units (the others default to two decimals).</summary>
    public static bool IsKnown(string code) => Known.ContainsKey(code);
}
