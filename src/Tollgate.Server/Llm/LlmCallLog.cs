using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Llm;

/// <summary>One logged model call as stored: tokens, the cost and price snapshotted at logging, the plan it was on.</summary>
public sealed record LoggedLlmCall(
    string CustomerId, string RequestId, string? FeatureCode, string Model, string? Provider, string? PriceId, long InputTokens, long OutputTokens,
    long CachedInputTokens, long CacheWriteTokens, long ReasoningTokens, long Requests, long Images, long CostNano, bool Unpriced, string? PlanCode,
    string? PlanVersionId, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt, string? MetadataJson, string? MemberId = null, long CacheWrite1hTokens = 0);

/// <summary>
/// What the call log is filtered by; each part is optional. From and To bound occurred_at, To exclusive; Member is the member who
/// sent the call.
/// </summary>
public sealed record LlmCallFilter(
    string? Customer = null, string? Feature = null, string? Model = null, string? Provider = null, DateTimeOffset? From = null, DateTimeOffset? To = null,
    string? Member = null);

/// <summary>The LLM call log, newest first, a page at a time by keyset on (occurred_at, customer and request id).</summary>
public sealed class LlmCallLog(TollgateDatabase database)
{
    // Ids never hold a space (they are checked), so this joins customer and request id into one unique tie-breaker on both stores.
    private const string CallId = "customer_id || ' ' || request_id";

    public Task<Page<LoggedLlmCall>> PageAsync(LlmCallFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters(new
        {
            filter.Customer, filter.Feature, filter.Model, filter.Provider, filter.Member, from = filter.From?.ToUnixTimeMilliseconds(),
            to = filter.To?.ToUnixTimeMilliseconds(),
        });
        Keyset.Bind(parameters, page);
        var where = new List<string> { Keyset.After(page, "occurred_at", CallId, descending: true) };
        where.AddRange(new[]
        {
            filter.Customer is null ? null : "customer_id = @Customer", filter.Feature is null ? null : "feature_code = @Feature",
            filter.Model is null ? null : "model = @Model", filter.Provider is null ? null : "provider = @Provider",
            filter.From is null ? null : "occurred_at >= @from", filter.To is null ? null : "occurred_at < @to",
            filter.Member is null ? null : "member_id = @Member",
        }.OfType<string>());
        var sql = $"""
            SELECT {LlmCallRow.Columns}
            FROM llm_calls WHERE {string.Join(" AND ", where)} {Keyset.OrderBy("occurred_at", CallId, descending: true)} LIMIT @page_limit
            """;
        return database.ReadAsync(async c => Keyset.Cut((await c.QueryAsync<LlmCallRow>(new CommandDefinition(sql, parameters,
            cancellationToken: cancellationToken))).ToList(), page, r => new Cursor(r.OccurredAt, r.CustomerId + " " + r.RequestId)).Select(r => r.ToDomain()),
            cancellationToken);
    }
}
