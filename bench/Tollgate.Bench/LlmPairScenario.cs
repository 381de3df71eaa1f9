namespace Tollgate.Bench;

/// <summary>
/// (b-llm, c-llm) What an LLM feature's budget costs a consume (issue 30): the example catalog's features all use the LLM
/// and its plans have budgets, so a consume there checks the budget's counter before it counts. The feature marked
/// <c>uses_llm</c> on a plan with an LLM budget against a plain metered feature of the same plan, in alternating rounds
/// on one server. The budget is never spent: consumes check it, logged LLM calls spend it.
/// </summary>
public sealed partial class Scenarios
{
    private const string LlmPairCatalog = """
        { "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" },
                        { "code": "chat", "name": "Chat", "unit": "messages", "kind": "metered", "uses_llm": true } ],
          "plans": [ { "code": "free", "name": "Free", "llm_budget_usd": 1000000, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
            "features": [ { "feature_code": "api_calls", "monthly_quota": 1000000000000 },
                          { "feature_code": "chat", "monthly_quota": 1000000000000 } ] } ] }
        """;

    private static string LlmFeatureConsume(int sequence) => $"{{\"customer\":\"bench-{sequence % Customers}\",\"feature\":\"chat\",\"amount\":1}}";

    private async Task<IReadOnlyList<LoadResult>> LlmPairAsync(string label, string provider, string connectionString)
    {
        await using var server = await StartTollgateAsync(provider, connectionString, LlmPairCatalog);
        return await PairAsync(server, label, ("consume", Consume), ("consume, LLM feature with a budget", LlmFeatureConsume), "LLM feature ÷ plain");
    }
}
