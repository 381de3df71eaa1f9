namespace Tollgate.Core.Money;

/// <summary>Integer division with the one rounding rule billing uses: half away from zero.</summary>
public static class Rounding
{
    /// <summary>numerator / denominator rounded half-up (away from zero), exact for any long inputs.</summary>
    public static long DivideHalfUp(Int128 numerator, Int128 denominator)
    {
        if (denominator == 0)
        {
            throw new DivideByZeroException();
        }

        if (denominator < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        var quotient = Int128.DivRem(numerator, denominator);
        var twiceRemainder = Int128.Abs(quotient.Remainder) * 2;
        var result = quotient.Quotient;
        if (twiceRemainder >= denominator)
        {
            result += numerator < 0 ? -1 : 1;
        }

        return (long)result;
    }
}
