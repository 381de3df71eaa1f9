using Tollgate.Core.Money;

namespace Tollgate.Core.Metrics;

/// <summary>An amount summed over several currencies into the reporting currency, and the currencies left out for want of a rate.</summary>
public sealed record ReportingTotal(decimal Minor, IReadOnlyList<string> Unconverted);

/// <summary>
/// The reporting currency and the operator's configured rates (1 unit of a currency = rate units of the reporting
/// currency). Reports sum each currency in its own minor units first and convert each currency's sum once, so a rate is
/// applied to a total, never to every line. Tollgate never fetches rates; a currency without one is left out and named.
/// </summary>
public sealed record ReportingRates
{
    private readonly IReadOnlyDictionary<string, decimal> _rates;

    public ReportingRates(string currency, IReadOnlyDictionary<string, decimal> rates)
    {
        Currency = currency.ToUpperInvariant();
        _rates = rates.ToDictionary(r => r.Key.ToUpperInvariant(), r => r.Value > 0 ? r.Value
            : throw new ArgumentOutOfRangeException(nameof(rates), r.Value, $"the rate of {r.Key} must be positive"), StringComparer.Ordinal);
    }

    /// <summary>Reports in <paramref name="currency"/> alone, as before rates existed.</summary>
    public static ReportingRates Only(string currency) => new(currency, new Dictionary<string, decimal>());

    public string Currency { get; }

    /// <summary>The configured rates, by currency code.</summary>
    public IReadOnlyDictionary<string, decimal> Rates => _rates;

    public bool CanConvert(string currency) => string.Equals(currency, Currency, StringComparison.OrdinalIgnoreCase) || _rates.ContainsKey(currency.ToUpperInvariant());

    /// <summary>
    /// <paramref name="minor"/> units of <paramref name="currency"/> in minor units of the reporting currency, exactly (no
    /// rounding): amount × rate × 10^(reporting exponent − currency exponent). Null when the currency has no rate.
    /// </summary>
    public decimal? Exact(decimal minor, string currency)
    {
        var code = currency.ToUpperInvariant();
        if (code == Currency)
        {
            return minor;
        }

        return _rates.TryGetValue(code, out var rate)
            ? minor * rate * MinorUnits.Factor(Currency) / MinorUnits.Factor(code)
            : null;
    }

    /// <summary>
    /// An LLM cost of <paramref name="nanoUsd"/> (10⁻⁹ USD) in minor units of the reporting currency, exactly: 10⁷ nano-USD
    /// are a cent, converted at USD's rate as any amount is. Null when the reporting currency is not USD and USD has no rate.
    /// </summary>
    public decimal? FromNanoUsd(long nanoUsd) => Exact(nanoUsd / NanoUsdPerCent, "USD");

    private const decimal NanoUsdPerCent = 10_000_000m;

    /// <summary>As <see cref="Exact"/>, rounded half away from zero to a whole minor unit of the reporting currency.</summary>
    public long? Rounded(long minor, string currency) =>
        Exact(minor, currency) is { } exact ? (long)Math.Round(exact, 0, MidpointRounding.AwayFromZero) : null;

    /// <summary>
    /// Sums <paramref name="amounts"/> per currency, converts each currency's sum once and adds the results (exact
    /// decimals: round once, where the figure is shown). Currencies without a rate are left out and named, in order.
    /// </summary>
    public ReportingTotal Sum(IEnumerable<(string Currency, decimal Minor)> amounts)
    {
        decimal total = 0;
        var unconverted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var perCurrency in amounts.GroupBy(a => a.Currency.ToUpperInvariant(), StringComparer.Ordinal))
        {
            if (Exact(perCurrency.Sum(a => a.Minor), perCurrency.Key) is { } converted)
            {
                total += converted;
            }
            else
            {
                unconverted.Add(perCurrency.Key);
            }
        }

        return new ReportingTotal(total, [.. unconverted]);
    }
}
