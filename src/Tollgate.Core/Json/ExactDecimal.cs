using System.Globalization;

namespace Tollgate.Core.Json;

/// <summary>
/// Whether a JSON number's text is exactly the <see cref="decimal"/> it was read as. System.Text.Json rounds a number with
/// more digits than a decimal holds (2.50000000000000000000000000001 reads as 2.5, 1e-30 as 0), so a check of its
/// decimal places on the decimal alone passed values that were never sent.
/// </summary>
public static class ExactDecimal
{
    /// <summary>What a number that does not hold is told, by the body's binding and the documents' readers alike.</summary>
    public const string Problem = "must be a number of at most 28 significant digits, exactly as written";

    public static bool Holds(string text, decimal value) =>
        Canonical(text) is { } sent && sent == Canonical(value.ToString(CultureInfo.InvariantCulture));

    // The number as (sign, significant digits, power of ten), with no leading or trailing zeros; null when its exponent
    // is out of any decimal's reach.
    private static (bool Negative, string Digits, long Exponent)? Canonical(string text)
    {
        var negative = text.StartsWith('-');
        var body = negative ? text[1..] : text;
        var e = body.IndexOfAny(['e', 'E']);
        long exponent = 0;
        if (e >= 0 && !long.TryParse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            return null;
        }

        var mantissa = e >= 0 ? body[..e] : body;
        var point = mantissa.IndexOf('.');
        var fraction = point >= 0 ? mantissa[(point + 1)..] : "";
        var digits = (point >= 0 ? mantissa[..point] : mantissa) + fraction;
        exponent -= fraction.Length;
        var trimmed = digits.TrimEnd('0');
        exponent += digits.Length - trimmed.Length;
        trimmed = trimmed.TrimStart('0');
        return trimmed.Length == 0 ? (false, "0", 0) : (negative, trimmed, exponent);
    }
}
