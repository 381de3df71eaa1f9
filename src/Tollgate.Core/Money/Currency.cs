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

    // ISO 4217's current codes (the list of 2025, with XCG and ZWG), less the testing and no-currency codes XTS and XXX,
    // and the withdrawn codes Stripe's list still carries (STD, MRO, HRK, VEF, CUC).
    private static readonly HashSet<string> Iso = new(("AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD "
        + "BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP "
        + "GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD "
        + "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD "
        + "RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI "
        + "UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL "
        + "STD MRO HRK VEF CUC")
        .Split(' '), StringComparer.Ordinal);

    /// <summary>Whether <paramref name="code"/> (in capitals) is a current ISO 4217 currency code.</summary>
    public static bool IsIso(string code) => Iso.Contains(code);

    /// <summary>Whether Tollgate knows the code's minor units (the others default to two decimals).</summary>
    public static bool IsKnown(string code) => Known.ContainsKey(code);
}
