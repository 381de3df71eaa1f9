using Tollgate.Server.Http;

namespace Tollgate.Server.Customers;

/// <summary>The customer and subscription list filters, checked in one place for the API and the console.</summary>
public static class CustomerFilters
{
    public static readonly string[] SubscriptionStatuses = ["trialing", "active", "past_due", "canceled", "incomplete"];

    /// <summary>
    /// A customer filter from its parameters: the search text is a prefix of at most 320 characters (trimmed), plan an id,
    /// status a subscription status. The problems are keyed by parameter name, the search text's being <paramref name="queryName"/>.
    /// </summary>
    public static Dictionary<string, string> Read(string? query, string? plan, string? status, string queryName, out CustomerFilter filter)
    {
        filter = new CustomerFilter(query?.Trim(), plan, status);
        return Validate.Errors(
            (queryName, query is { Length: > 320 } ? "must be at most 320 characters" : null),
            ("plan", plan is null ? null : Validate.Id(plan)),
            ("status", StatusProblem(status)));
    }

    public static string? StatusProblem(string? status) =>
        status is null || SubscriptionStatuses.Contains(status, StringComparer.Ordinal) ? null : $"must be one of {string.Join(", ", SubscriptionStatuses)}";
}
