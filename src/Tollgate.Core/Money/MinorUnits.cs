using System.Globalization;

namespace Tollgate.Core.Money;

/// <summary>Formatting and conversion of integer minor units (cents); decimal only at the edge.</summary>
public static class MinorUnits
{
    /// <summary>"$29.99" for 2999 USD, "¥500" for 500 JPY, "-$5.00" for -500 USD.</summary>
    public static string Display(long amount, string currency)
    {
        var exponent = Currency.Exponent(currency);
        var major = ToMajor(amount, currency);
        var digits = major < 0 ? (-major).ToString("N" + exponent, CultureInfo.InvariantCulture)
            : major.ToString("N" + exponent, CultureInfo.InvariantCulture);
        return (amount < 0 ? "-" : "") + Currency.Symbol(currency) + digits;
    }

    public static decimal ToMajor(long amount, string currency) =>
        amount / Pow10(Currency.Exponent(currency));

    /// <summary>Exact conversion from a major-unit decimal; fails when the value has more precision than the currency.</summary>
    public static bool TryFromMajor(decimal major, string currency, out long amount)
    {
        var scaled = major * Pow10(Currency.Exponent(currency));
        amount = 0;
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue)
        {
            return false;
        }

        amount = (long)scaled;
        return true;
    }

    /// <summary>Minor units per major unit: 100 for USD, 1 for JPY.</summary>
    public static decimal Factor(string currency) => Pow10(Currency.Exponent(currency));

    private static decimal Pow10(int exponent)
    {
        decimal result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
