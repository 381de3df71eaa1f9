using System.Globalization;
using Tollgate.Contracts;
using Tollgate.Core.Llm;

namespace Tollgate.Server.Grants;

/// <summary>
/// A grant's amount: units of a feature in <c>amount</c>, or for the LLM budget nano-USD in <c>amount</c> or USD as a
/// decimal string in <c>amount_usd</c>, read exactly (a JSON number would pass through a binary float in many clients).
/// </summary>
internal static class GrantAmount
{
    /// <summary>$1,000,000, the most a budget hold may estimate, so sums of grants stay far inside a 64-bit integer.</summary>
    public const long MaxBudgetNano = 1_000_000 * NanoUsdAmount.PerUsd;

    public static (long Amount, string Field, string? Problem) Read(CreateCreditGrantRequest request, bool budget)
    {
        if (!budget)
        {
            return request.AmountUsd is not null ? (0, "amount_usd", "is only for the LLM budget ($llm_budget); give amount in units")
                : request.Amount is not { } units ? (0, "amount", "is required")
                : Http.Validate.Amount(units, 1, GrantsApi.MaxAmount) is { } problem ? (0, "amount", problem)
                : (units, "amount", null);
        }

        if (request.AmountUsd is { } text)
        {
            return request.Amount is not null ? (0, "amount_usd", "cannot be given with amount; give one of them")
                : decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd)
                    && NanoUsdAmount.TryFromUsd(usd, out var fromUsd) && fromUsd is >= 1 and <= MaxBudgetNano
                    ? (fromUsd, "amount_usd", null)
                    : (0, "amount_usd", "must be a decimal string of USD above 0, at most 1000000, with at most 9 decimals");
        }

        return request.Amount is not { } nano ? (0, "amount", "is required: nano-USD, or amount_usd as a decimal string")
            : nano > MaxBudgetNano ? (0, "amount", $"is too large: at most {MaxBudgetNano:N0} nano-USD ($1,000,000)")
            : nano < 1 ? (0, "amount", $"must be nano-USD from 1 to {MaxBudgetNano:N0}")
            : (nano, "amount", null);
    }
}
