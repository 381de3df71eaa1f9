using System.Globalization;

namespace Tollgate.Server.Web.Admin;

/// <summary>Amounts as the console shows them: the sign before the symbol ("-$11.26"), cents for whole amounts, and up to six decimals only for sub-cent costs.</summary>
public static class ConsoleMoney
{
    public static string Usd(decimal value) => (value < 0 ? "-$" : "$") + Digits(Math.Abs(value));

    public static string In(decimal value, string currency) =>
        currency == "USD" ? Usd(value) : (value < 0 ? "-" : "") + Digits(Math.Abs(value)) + " " + currency;

    private static string Digits(decimal magnitude) => magnitude.ToString(magnitude switch
    {
        0m or >= 1m => "#,0.00",
        >= 0.01m => "0.00##",
        _ => "0.00####",
    }, CultureInfo.InvariantCulture);
}
