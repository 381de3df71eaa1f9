using System.Globalization;
using Microsoft.Extensions.Options;
using Tollgate.Core.Metrics;

namespace Tollgate.Server.Metrics;

/// <summary>
/// Bound from Tollgate:Reporting: the one currency every report is in, and the operator's rates into it
/// (Rates:EUR = 1.08 means 1 EUR = 1.08 of the reporting currency). Tollgate never fetches rates.
/// </summary>
public sealed class ReportingOptions
{
    /// <summary>Unset, the older Tollgate:Metrics:Currency (USD by default) is the reporting currency.</summary>
    public string? Currency { get; set; }

    /// <summary>Rates as configured, kept as strings so that a report shows them exactly as the operator wrote them.</summary>
    public Dictionary<string, string> Rates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    internal static bool IsCode(string? code) => code is { Length: 3 } c && c.All(char.IsAsciiLetter);

    internal static bool TryParseRate(string? text, out decimal rate) =>
        decimal.TryParse(text?.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out rate) && rate > 0;
}

/// <summary>The reporting currency and rates in force, resolved once from both settings.</summary>
public sealed class ReportingCurrency(IOptions<ReportingOptions> reporting, IOptions<MetricsOptions> metrics)
{
    private readonly Lazy<ReportingRates> _rates = new(() => new ReportingRates(
        (reporting.Value.Currency is { Length: > 0 } c ? c : metrics.Value.Currency).Trim().ToUpperInvariant(),
        reporting.Value.Rates.ToDictionary(r => r.Key.Trim().ToUpperInvariant(), r => ReportingOptions.TryParseRate(r.Value, out var v) ? v
            : throw new OptionsValidationException(nameof(ReportingOptions), typeof(ReportingOptions), [$"Tollgate:Reporting:Rates:{r.Key} is not a rate"]))));

    public ReportingRates Rates => _rates.Value;

    /// <summary>The rates as the operator wrote them, for a report to say which it used.</summary>
    public IReadOnlyDictionary<string, string> Configured =>
        new SortedDictionary<string, string>(reporting.Value.Rates.ToDictionary(r => r.Key.Trim().ToUpperInvariant(), r => r.Value.Trim()), StringComparer.Ordinal);
}

/// <summary>Refuses to start on a bad reporting currency or rate, naming the setting.</summary>
public sealed class ReportingOptionsValidator : IValidateOptions<ReportingOptions>
{
    public ValidateOptionsResult Validate(string? name, ReportingOptions options)
    {
        var errors = new List<string>();
        if (options.Currency is { Length: > 0 } currency && !ReportingOptions.IsCode(currency.Trim()))
        {
            errors.Add("Tollgate:Reporting:Currency must be a three-letter ISO 4217 code, such as USD");
        }

        foreach (var (code, rate) in options.Rates)
        {
            if (!ReportingOptions.IsCode(code.Trim()))
            {
                errors.Add($"Tollgate:Reporting:Rates:{code} must be named by a three-letter ISO 4217 code, such as Tollgate:Reporting:Rates:EUR");
            }
            else if (!ReportingOptions.TryParseRate(rate, out _))
            {
                errors.Add($"Tollgate:Reporting:Rates:{code} must be a decimal above 0, such as 1.08 (1 {code.Trim().ToUpperInvariant()} = 1.08 of the reporting currency)");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
