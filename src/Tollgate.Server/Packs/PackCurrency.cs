using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Core.Catalog;
using Tollgate.Server.Http;

namespace Tollgate.Server.Packs;

/// <summary>The refusal of a pack to a customer billed in a currency the pack is not sold in, the same for a sale and a Checkout.</summary>
public static class PackCurrency
{
    /// <summary>What is wrong, for the problem's <c>errors.currency</c> and the portal's page.</summary>
    public static string Problem(string customerId, string currency, CreditPack pack) =>
        $"customer '{customerId}' is billed in {currency}, and pack '{pack.Code}' has no price in it; it is sold in "
        + $"{string.Join(", ", pack.Currencies)}. Give it currency_options.{currency} in the catalog to sell it";

    /// <summary>409 currency_mismatch naming <c>currency</c>: a customer has one currency, and nothing is written.</summary>
    public static ProblemHttpResult Mismatch(string customerId, string currency, CreditPack pack)
    {
        var problem = Problem(customerId, currency, pack);
        return Problems.Create(409, "currency_mismatch", char.ToUpperInvariant(problem[0]) + problem[1..] + ".",
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string> { ["currency"] = problem } });
    }
}
